//! The desk in a real browser: Debian's chromium, headless, driven over WebDriver by
//! chromedriver (started here on a free port). Opens the queue, an edition, a figure's
//! provenance; opens another version (the next seed) and uses it; makes an edit the audit
//! refuses and reads why, then one it accepts; approves, and finds the edition live. Saves a screenshot of the edition page under target/.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};

use crate::desk::Server;
use crate::review::newsroom;
use crate::support::{Casewire, arg, root};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn program(name: &str) -> String {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    match found {
        Some(p) => p.display().to_string(),
        None => panic!(
            "{name} is missing: the browser tests need Debian's chromium and chromium-driver (.ci/run installs them; locally: apt-get install chromium chromium-driver)"
        ),
    }
}

/// The element with `id`, once the page has it (a page after a click may still be loading).
async fn find(
    c: &fantoccini::Client,
    id: &str,
) -> Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
    c.wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Id(id))
        .await
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_editor_reads_edits_and_approves_in_chromium() {
    let chromium = program("chromium");
    let driver_bin = program("chromedriver");
    let dir = tempfile::tempdir().unwrap();
    let config = newsroom(dir.path(), "");
    Casewire::new()
        .args(["publish", "--config", arg(&config)])
        .success();
    let entry = dir
        .path()
        .join("out/.casewire-queue/pending/weekly-2021-01-18/entry.json");
    let entry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(entry).unwrap()).unwrap();
    let seed = entry["drafted"]["seed"]
        .as_u64()
        .expect("the seed recorded");
    let server = Server::start(&config);
    let port = free_port();
    let _driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let profile = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--window-size=1280,1600",
                         format!("--user-data-dir={}", profile.path().display())],
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut client = None;
        // A loaded machine may take a while to start the driver and the browser.
        for _ in 0..600 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let c = client.expect("chromedriver answers");
        let desk = format!("http://{}", server.addr);
        c.goto(&format!("{desk}/")).await.unwrap();
        find(&c, "name").await.unwrap().send_keys("Ann Editor").await.unwrap();
        find(&c, "sign-in").await.unwrap().click().await.unwrap();
        // The queue, then the edition.
        let open = find(&c, "open-weekly-2021-01-18").await.unwrap();
        assert!(open.text().await.unwrap().contains("Covid-19 rates"));
        open.click().await.unwrap();
        let story = find(&c, "story").await.unwrap();
        assert!(story.text().await.unwrap().contains("Greenwich has the highest rate"));
        // A figure's provenance, by keyboard focus.
        let figures = c.find_all(Locator::Css("#story .fig")).await.unwrap();
        let mut read = None;
        for f in figures {
            let t = f.text().await.unwrap();
            if t.starts_with("691.9") {
                read = Some(f);
                break;
            }
        }
        let fig = read.expect("Bexley's rate is marked");
        c.execute("arguments[0].focus();", vec![serde_json::to_value(&fig).unwrap()])
            .await
            .unwrap();
        let prov = fig.find(Locator::Css(".prov")).await.unwrap();
        assert!(prov.is_displayed().await.unwrap(), "focus shows the provenance");
        let said = prov.text().await.unwrap();
        assert!(said.contains("1,718 / 248,287 × 100,000 = 691.9"), "{said}");
        let shot = root().join("target/desk-edition.png");
        std::fs::write(&shot, c.screenshot().await.unwrap()).unwrap();
        println!("screenshot: {}", shot.display());

        // Another version, one click away: the next seed's frames, previewed, then used.
        find(&c, &format!("version-{}-weekly-roundup", seed + 1))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let note = find(&c, "version-note").await.unwrap().text().await.unwrap();
        assert!(note.contains(&format!("seed {}", seed + 1)), "{note}");
        let checks = find(&c, "checks").await.unwrap().text().await.unwrap();
        assert!(checks.starts_with("Lint and audit passed"), "{checks}");
        let other = find(&c, "story").await.unwrap().text().await.unwrap();
        find(&c, "use-version").await.unwrap().click().await.unwrap();
        let notice = find(&c, "notice").await.unwrap().text().await.unwrap();
        assert!(notice.starts_with("Now queued"), "{notice}");
        let story = find(&c, "story").await.unwrap().text().await.unwrap();
        assert_eq!(story, other, "the edition's page shows the version used");
        let state = find(&c, "copy-state").await.unwrap().text().await.unwrap();
        assert!(state.contains("the version chosen at the desk"), "{state}");

        // An edit the audit refuses: a figure no fact backs.
        let body = find(&c, "body").await.unwrap();
        let text = body.prop("value").await.unwrap().unwrap();
        assert!(text.contains("691.9"), "{text}");
        let wrong = text.replacen("691.9", "691.7", 1);
        body.clear().await.unwrap();
        body.send_keys(&wrong).await.unwrap();
        find(&c, "check-edit").await.unwrap().click().await.unwrap();
        let refused = find(&c, "refused").await.unwrap().text().await.unwrap();
        assert!(refused.contains("691.7") && refused.contains("traces to no fact"), "{refused}");
        // One it accepts: a sentence of the editor's own, no figure in it.
        let body = find(&c, "body").await.unwrap();
        let right = format!("Testing remains open to anyone with symptoms.\n\n{text}");
        body.clear().await.unwrap();
        body.send_keys(&right).await.unwrap();
        find(&c, "check-edit").await.unwrap().click().await.unwrap();
        // The refused page had a notice too: wait for the one that keeps the edit.
        let notice = c
            .wait()
            .at_most(Duration::from_secs(60))
            .for_element(Locator::Css("p.ok#notice"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(notice.starts_with("Edit kept"), "{notice}");
        find(&c, "approve").await.unwrap().click().await.unwrap();
        let message = find(&c, "message").await.unwrap().text().await.unwrap();
        assert!(message.contains("is live"), "{message}");
        c.close().await.unwrap();
    });
    let live = std::fs::read_to_string(dir.path().join("out/weekly-2021-01-18/index.md")).unwrap();
    assert!(
        live.contains("Testing remains open to anyone with symptoms."),
        "{live}"
    );
    let kept = dir
        .path()
        .join("out/.casewire-queue/approved/weekly-2021-01-18");
    assert!(kept.join("edit.md").exists(), "the edit kept");
    let original = std::fs::read_to_string(kept.join("files/weekly-2021-01-18/index.md")).unwrap();
    assert!(
        !original.contains("Testing remains open"),
        "the original beside it"
    );
    let drafted =
        std::fs::read_to_string(kept.join("versions/1/files/weekly-2021-01-18/index.md")).unwrap();
    assert_ne!(
        drafted, original,
        "the run's own version kept beside the one used"
    );
    assert!(drafted.contains(&format!("seed: {seed}")), "{drafted}");
}
