//! `casewire withdraw`: a published edition taken back. Its page and feed entry leave the
//! site (which Hugo still builds), its ninjs item becomes the next version, `canceled` and
//! valid against IPTC's schema, the state says who, when and why, the desk is alerted, and
//! later runs neither republish nor correct it. An unknown edition writes nothing.

use std::path::Path;

use serde_json::Value;

use crate::deliver::{assert_valid, validator};
use crate::fetch::server::{Response, TestServer};
use crate::site::Generator;
use crate::support::*;

const STORY: &str = "se-london-weekly";
const FILE: &str = "ltla-reconstructed.csv";

/// A webhook on 127.0.0.1 that records what it is sent.
struct Hook {
    _runtime: tokio::runtime::Runtime,
    server: TestServer,
}

impl Hook {
    fn start() -> Hook {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let server = runtime.block_on(TestServer::start(std::time::Duration::ZERO, |_| {
            Response::with(200, "text/plain", "ok")
        }));
        Hook {
            _runtime: runtime,
            server,
        }
    }

    fn alerts(&self) -> Vec<Value> {
        self.server
            .received()
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }
}

fn add(dir: &Path, release: &str) {
    place_release(
        dir,
        release,
        FILE,
        &shared(&format!("releases/{release}/{FILE}")),
        Place::Link,
    );
}

/// A newsroom publishing the patch story into `output`, correcting a day's revisions.
fn newsroom(dir: &Path, output: &Path, top: &str, extra: &str) -> std::path::PathBuf {
    NewsroomFixture::new(dir)
        .setting(top)
        .source_files(FILE, &shared("population/mid-2019.csv"))
        .output(output)
        .extra(&format!(
            "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n{extra}"
        ))
        .story(STORY, "se-london.toml")
        .patch_file("se-london.toml", se_london())
        .write()
}

fn cli(args: &[&str], config: &Path) -> Run {
    Casewire::new()
        .args(args)
        .args(["--config", arg(config)])
        .run()
}

fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn a_withdrawn_edition_leaves_the_site_and_the_feeds_its_item_is_canceled_and_it_stays_out() {
    let hook = Hook::start();
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    Generator::Hugo.write_site(&site);
    let section = site.join("content/covid");
    let webhook = format!(
        "[alerts]\nwebhook = \"{}/hooks/SECRET\"\n",
        hook.server.base
    );
    let config = newsroom(dir.path(), &section, "", &webhook);
    add(dir.path(), "2021-01-18");
    let first = cli(&["publish"], &config);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let bundle = format!("{STORY}-2021-01-18");
    let item_path = section.join(format!("{bundle}/{bundle}.ninjs.json"));
    let usable = json(&item_path);

    // The desk finds the edition's name.
    let listed = cli(&["withdraw", "--list"], &config);
    assert_eq!(listed.status, 0, "{}", listed.stderr);
    assert!(
        listed
            .stdout
            .starts_with(&format!("{bundle}\t{STORY}\t2021-01-18\tlive\t")),
        "{}",
        listed.stdout
    );

    let run = Casewire::new()
        .args(["withdraw", &bundle, "--config", arg(&config)])
        .args([
            "--reason",
            "Bexley's figures were another borough's",
            "--by",
            "Ada",
        ])
        .run();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stdout.starts_with(&format!("withdrew {bundle}")),
        "{}",
        run.stdout
    );
    // The page and its files are gone; the canceled item stays where the CMS reads it.
    let left: Vec<String> = std::fs::read_dir(section.join(&bundle))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, [format!("{bundle}.ninjs.json")]);
    let canceled = json(&item_path);
    assert_valid(&validator(), &canceled);
    assert_eq!(canceled["pubstatus"], "canceled");
    assert_eq!(canceled["uri"], usable["uri"]);
    assert_eq!(canceled["version"], "2");
    assert_eq!(canceled["firstcreated"], usable["firstcreated"]);
    assert!(canceled.get("associations").is_none(), "{canceled:#}");
    let ednote = canceled["ednote"].as_str().unwrap();
    assert!(
        ednote.contains("by Ada: Bexley's figures were another borough's"),
        "{ednote}"
    );
    let feed = json(&section.join("feed.json"));
    assert_eq!(feed["items"], serde_json::json!([]), "{feed:#}");
    let atom = std::fs::read_to_string(section.join("feed.xml")).unwrap();
    assert!(!atom.contains(&bundle), "{atom}");
    let state = json(&section.join(".casewire-state.json"));
    let withdrawn = &state["stories"][STORY][0]["withdrawn"];
    assert_eq!(withdrawn["by"], "Ada");
    assert_eq!(
        withdrawn["reason"],
        "Bexley's figures were another borough's"
    );
    let sent = hook.alerts();
    assert_eq!(sent.last().unwrap()["event"], "withdrawn", "{sent:#?}");
    assert_eq!(
        sent.last().unwrap()["editions"],
        serde_json::json!([bundle.clone()])
    );
    let listed = cli(&["withdraw", "--list"], &config);
    assert!(listed.stdout.contains("\twithdrawn "), "{}", listed.stdout);

    // Withdrawn once is withdrawn: a second try says so and changes nothing.
    let before = every_file(&section);
    let again = Casewire::new()
        .args([
            "withdraw",
            &bundle,
            "--config",
            arg(&config),
            "--reason",
            "x",
        ])
        .run();
    assert_eq!(again.status, 1, "{}", again.stderr);
    assert!(
        again.stderr.contains("was withdrawn already"),
        "{}",
        again.stderr
    );
    assert_eq!(every_file(&section), before);

    // Nothing new: the edition is not brought back.
    let rerun = cli(&["publish"], &config);
    assert_eq!(
        rerun.stdout, "nothing new since 2021-01-18\n",
        "{}",
        rerun.stderr
    );
    assert!(!section.join(format!("{bundle}/index.md")).exists());
    // The next release revises its week: the new edition goes out, the withdrawn one earns
    // no correction and gets no page.
    add(dir.path(), "2021-01-19");
    let next = cli(&["publish"], &config);
    assert_eq!(next.status, 0, "{}", next.stderr);
    assert_eq!(
        next.stdout, "published 1 for release 2021-01-19\n",
        "{}",
        next.stderr
    );
    assert!(!section.join(format!("{bundle}/index.md")).exists());
    assert!(!section.join(format!("{bundle}-correction")).exists());
    assert_eq!(json(&item_path), canceled);
    let feed = json(&section.join("feed.json"));
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{feed:#}");
    assert!(items[0]["url"].as_str().unwrap().contains("2021-01-19"));

    // Hugo builds the site: the withdrawn page is not in it, the new one is.
    if !Path::new("/usr/bin/hugo").exists() && std::env::var_os("CI").is_none() {
        eprintln!("SKIPPED: hugo is not installed (apt-get install hugo)");
        return;
    }
    let public = dir.path().join("public");
    Generator::Hugo.build(&site, &public, dir.path());
    assert!(
        public
            .join(format!("covid/{STORY}-2021-01-19/index.html"))
            .exists()
    );
    assert!(!public.join(format!("covid/{bundle}/index.html")).exists());
    assert!(!public.join(format!("covid/{bundle}-correction")).exists());
}

#[test]
fn a_withdrawn_jekyll_post_and_its_correction_note_go_and_its_item_stays() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let config = newsroom(dir.path(), &out, "front_matter = \"jekyll\"", "");
    for release in ["2021-01-18", "2021-01-19"] {
        add(dir.path(), release);
        let run = cli(&["publish"], &config);
        assert_eq!(run.status, 0, "{release}: {}", run.stderr);
    }
    let bundle = format!("{STORY}-2021-01-18");
    let post = out.join(format!("_posts/2021-01-18-{bundle}.md"));
    let state = json(&out.join(".casewire-state.json"));
    let note = state["stories"][STORY][0]["correction"]["path"]
        .as_str()
        .expect("the second release corrects the first")
        .to_string();
    assert!(post.exists() && out.join(&note).exists());
    let run = Casewire::new()
        .args([
            "withdraw",
            &bundle,
            "--config",
            arg(&config),
            "--reason",
            "wrong week",
        ])
        .run();
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!post.exists());
    assert!(!out.join(&note).exists(), "{note}");
    let left: Vec<String> = every_file(&out.join(format!("assets/{bundle}")))
        .into_keys()
        .collect();
    assert_eq!(left, [format!("{bundle}.ninjs.json")]);
    let item = json(&out.join(format!("assets/{bundle}/{bundle}.ninjs.json")));
    assert_valid(&validator(), &item);
    assert_eq!(item["pubstatus"], "canceled");
    // The correction had made the item version 2: the withdrawal is version 3.
    assert_eq!(item["version"], "3");
    assert!(
        out.join(format!("_posts/2021-01-19-{STORY}-2021-01-19.md"))
            .exists()
    );
}

#[test]
fn withdrawing_an_unknown_edition_is_an_error_that_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let config = newsroom(dir.path(), &out, "", "");
    add(dir.path(), "2021-01-18");
    assert_eq!(cli(&["publish"], &config).status, 0);
    let before = every_file(&out);
    let run = Casewire::new()
        .args([
            "withdraw",
            "se-london-weekly-2021-01-11",
            "--config",
            arg(&config),
        ])
        .args(["--reason", "never ran"])
        .run();
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("no published edition \"se-london-weekly-2021-01-11\""),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("withdraw --list"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(every_file(&out), before);
    // Without a reason there is nothing to record: the command line is refused.
    let bare = Casewire::new()
        .args([
            "withdraw",
            "se-london-weekly-2021-01-18",
            "--config",
            arg(&config),
        ])
        .run();
    assert_eq!(bare.status, 2, "{}", bare.stderr);
    assert_eq!(every_file(&out), before);
}

/// A file sink that places as many units as it holds, then fails as a full disk would.
struct FailsAfter(usize);

impl casewire::fsio::FileSink for FailsAfter {
    fn place(&mut self, staged: &Path, target: &Path) -> std::io::Result<()> {
        if self.0 == 0 {
            return Err(std::io::Error::other("injected fault: the disk is full"));
        }
        self.0 -= 1;
        casewire::fsio::Disk.place(staged, target)
    }
}

#[test]
fn a_withdrawal_failing_part_way_leaves_the_edition_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let config = newsroom(dir.path(), &out, "", "");
    add(dir.path(), "2021-01-18");
    assert_eq!(cli(&["publish"], &config).status, 0);
    let before = every_file(&out);
    let options = casewire::publish::withdraw::WithdrawOptions {
        config: config.clone(),
        edition: format!("{STORY}-2021-01-18"),
        reason: "a test".into(),
        by: "test".into(),
        now: chrono::DateTime::UNIX_EPOCH,
    };
    // The edition's folder is replaced, then the feed cannot be: all of it goes back.
    for placed in 0..3 {
        let err = casewire::publish::withdraw::withdraw(&options, &mut FailsAfter(placed))
            .expect_err("the sink fails");
        assert!(err.to_string().contains("cannot write"), "{err}");
        assert_eq!(every_file(&out), before, "failing after {placed}");
    }
    casewire::publish::withdraw::withdraw(&options, &mut casewire::fsio::Disk).unwrap();
    assert!(!out.join(format!("{STORY}-2021-01-18/index.md")).exists());
}
