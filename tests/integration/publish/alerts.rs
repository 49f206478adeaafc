//! What a run tells others: `after_publish` runs only when something was published, and the
//! desk's webhook is alerted when editions go out, when a gate holds one and when a run fails;
//! an alert that cannot be delivered is only a warning.

use super::Newsroom;

#[test]
fn after_publish_runs_only_when_something_was_published_and_its_failure_is_reported() {
    let n = Newsroom::new(
        &["2021-01-18"],
        "after_publish = [\"sh\", \"-c\", \"echo built >> built.txt\"]\n",
    );
    // `after_publish` is a top-level key: the fixture puts extra TOML after [schedule], so
    // move it to the top of the file.
    let config = std::fs::read_to_string(n.config()).unwrap();
    let line = "after_publish = [\"sh\", \"-c\", \"echo built >> built.txt\"]\n";
    std::fs::write(n.config(), format!("{line}{}", config.replace(line, ""))).unwrap();
    assert!(n.publish().stdout.starts_with("published 1"));
    assert_eq!(
        std::fs::read_to_string(n.path().join("built.txt")).unwrap(),
        "built\n"
    );
    // Nothing new: not run again.
    assert!(n.publish().stdout.starts_with("nothing new"));
    assert_eq!(
        std::fs::read_to_string(n.path().join("built.txt")).unwrap(),
        "built\n"
    );
    // A failing command: the edition is out, the run fails saying so.
    let failing = "after_publish = [\"sh\", \"-c\", \"echo the site build broke >&2; exit 3\"]\n";
    let config = std::fs::read_to_string(n.config()).unwrap();
    std::fs::write(n.config(), config.replace(line, failing)).unwrap();
    n.add_release("2021-01-20");
    let run = n.publish();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("published 1 for release 2021-01-20, but after_publish `sh -c")
            && run.stderr.contains("the site build broke"),
        "{}",
        run.stderr
    );
    assert!(
        n.out()
            .join("se-london-weekly-2021-01-20/index.md")
            .exists()
    );
}

/// A webhook on 127.0.0.1 that records every alert it is sent.
struct Hook {
    _runtime: tokio::runtime::Runtime,
    server: crate::fetch::server::TestServer,
}

impl Hook {
    fn start() -> Hook {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(crate::fetch::server::TestServer::start(
            std::time::Duration::ZERO,
            |_| crate::fetch::server::Response::with(200, "text/plain", "ok"),
        ));
        Hook {
            _runtime: runtime,
            server,
        }
    }

    fn table(&self) -> String {
        format!(
            "[alerts]\nwebhook = \"{}/hooks/SECRET\"\n",
            self.server.base
        )
    }

    fn alerts(&self) -> Vec<serde_json::Value> {
        self.server
            .received()
            .iter()
            .map(|r| {
                assert_eq!(
                    (r.method.as_str(), r.path.as_str()),
                    ("POST", "/hooks/SECRET")
                );
                serde_json::from_slice(&r.body).unwrap()
            })
            .collect()
    }
}

#[test]
fn the_desk_is_alerted_when_editions_go_out_when_a_gate_holds_one_and_when_a_run_fails() {
    let hook = Hook::start();
    let n = Newsroom::new(&["2021-01-18"], &hook.table());
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let sent = hook.alerts();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0]["event"], "published");
    assert_eq!(sent[0]["release"], "2021-01-18");
    assert_eq!(
        sent[0]["editions"],
        serde_json::json!(["se-london-weekly-2021-01-18"])
    );
    assert!(
        sent[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("casewire published 1 edition")
    );
    // Nothing new: nothing to tell.
    assert_eq!(n.publish().status, 0);
    assert_eq!(hook.alerts().len(), 1);

    // A gate holds the next release back: which gate, which area.
    let held = Newsroom::new(&["2021-01-18"], &hook.table());
    let patch = held.path().join("se-london.toml");
    let text = std::fs::read_to_string(&patch).unwrap();
    std::fs::write(&patch, format!("{text}\n[gates]\nrate_ceiling = 10.0\n")).unwrap();
    assert_eq!(held.publish().status, 3);
    let sent = hook.alerts();
    assert_eq!(sent.len(), 2, "{sent:#?}");
    assert_eq!(sent[1]["event"], "held");
    assert_eq!(sent[1]["story"], "se-london-weekly");
    assert_eq!(sent[1]["gate"], "rate-ceiling");
    assert!(
        sent[1]["area"].as_str().is_some_and(|a| a.contains("(E0")),
        "{:#}",
        sent[1]
    );

    // A run that fails says why, with the error's chain.
    let failing = Newsroom::new(&[], &hook.table());
    assert_eq!(failing.publish().status, 1);
    let sent = hook.alerts();
    assert_eq!(sent.len(), 3, "{sent:#?}");
    assert_eq!(sent[2]["event"], "failed");
    assert!(
        sent[2]["error"]
            .as_str()
            .unwrap()
            .contains("no release found"),
        "{:#}",
        sent[2]
    );
}

#[test]
fn an_alert_that_cannot_be_delivered_is_a_warning_and_the_editions_still_go_out() {
    // A port nothing listens on: bound, then let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let n = Newsroom::new(
        &["2021-01-18"],
        &format!(
            "[alerts]\nwebhook = \"http://127.0.0.1:{port}/hooks/SECRET\"\ntimeout_secs = 2\n"
        ),
    );
    let run = n.publish();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "published 1 for release 2021-01-18\n");
    assert!(
        run.stderr.contains("alert was not delivered"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("SECRET"), "{}", run.stderr);
    assert!(
        n.out()
            .join("se-london-weekly-2021-01-18/index.md")
            .exists()
    );
}
