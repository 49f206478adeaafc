//! Editions as posts on a real WordPress (Debian's `wordpress` on MariaDB, served by PHP's own
//! server on 127.0.0.1), set up by `tests/wordpress/setup.sh`, which `.ci/run` runs: publish,
//! rerun without a second post, a correction editing the same post, WordPress stopped
//! mid-run and the next run catching up, a refused password, a withdrawn edition's post in
//! the trash, every-area editions as a post per area, every post read back through the REST
//! API.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::support::*;

const SETUP: &str = "WordPress is not set up here: `.ci/run` installs Debian's wordpress, \
                     mariadb-server and php packages and runs tests/wordpress/setup.sh";

fn password_file() -> PathBuf {
    std::env::var_os("CASEWIRE_WP_PASSWORD_FILE")
        .map_or_else(|| "/var/lib/casewire-wp/app-password".into(), PathBuf::from)
}

/// PHP's server over Debian's WordPress on a port of its own, stopped when dropped.
struct Site {
    child: Option<Child>,
    port: u16,
}

impl Site {
    fn start_on(port: u16) -> Site {
        assert!(
            Path::new("/usr/share/wordpress/wp-load.php").exists()
                && Path::new("/etc/wordpress/config-127.0.0.1.php").exists()
                && password_file().exists(),
            "{SETUP}"
        );
        let child = Command::new("php")
            .args([
                "-S",
                &format!("127.0.0.1:{port}"),
                "-t",
                "/usr/share/wordpress",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start php ({e}): {SETUP}"));
        let site = Site {
            child: Some(child),
            port,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return site;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("WordPress did not answer on 127.0.0.1:{port}: {SETUP}");
    }

    fn start() -> Site {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Site::start_on(port)
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn base(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }

    /// A REST route read as the test user.
    fn get(&self, route: &str, query: &[(&str, &str)]) -> Value {
        let password = std::fs::read_to_string(password_file()).unwrap();
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let mut url = reqwest::Url::parse(&self.base()).unwrap();
        url.query_pairs_mut().append_pair("rest_route", route);
        for (k, v) in query {
            url.query_pairs_mut().append_pair(k, v);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let r = reqwest::Client::new()
                .get(url)
                .basic_auth("casewire", Some(password.trim()))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{route}: {}", r.status());
            serde_json::from_str(&r.text().await.unwrap()).unwrap()
        })
    }

    fn posts_with_slug(&self, slug: &str) -> Vec<Value> {
        self.get(
            "/wp/v2/posts",
            &[
                ("slug", slug),
                ("status", "draft,pending,publish"),
                ("context", "edit"),
            ],
        )
        .as_array()
        .unwrap()
        .clone()
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.stop();
    }
}

fn publish(config: &Path) -> Run {
    Casewire::new()
        .args(["publish", "--config", arg(config)])
        .run()
}

fn state(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("out/.casewire-state.json")).unwrap()).unwrap()
}

#[test]
fn editions_become_posts_once_corrections_edit_them_and_a_run_after_an_outage_catches_up() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    // Each run of the test has slugs of its own, as the site keeps every earlier run's posts.
    let story = format!("wp-{}", std::process::id());
    let add = |release: &str| {
        place_release(
            dir.path(),
            release,
            "ltla-reconstructed.csv",
            &shared(&format!("releases/{release}/ltla-reconstructed.csv")),
            Place::Link,
        )
    };
    add("2021-01-18");
    let write = |port: u16| {
        NewsroomFixture::new(dir.path())
            .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
            .extra(&format!(
                "[corrections]\nrate_change = 0.1\ncases_share = 0.001\n\
                 [wordpress]\nsite = \"http://127.0.0.1:{port}\"\nuser = \"casewire\"\n\
                 password_file = \"{}\"\nstatus = \"draft\"\ntimeout_secs = 30\n",
                password_file().display()
            ))
            .story(&story, "se-london.toml")
            .patch_file("se-london.toml", se_london())
            .write()
    };
    let config = write(site.port);
    let first = publish(&config);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let slug = format!("{story}-2021-01-18");
    let posts = site.posts_with_slug(&slug);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let post = &posts[0];
    let id = post["id"].as_u64().unwrap();
    assert_eq!(post["status"], "draft");
    assert!(
        post["title"]["raw"].as_str().unwrap().contains("Covid"),
        "{post:#}"
    );
    assert!(!post["excerpt"]["raw"].as_str().unwrap().is_empty());
    assert!(post["content"]["raw"].as_str().unwrap().contains("<p>"));
    assert_ne!(post["featured_media"], 0, "the chart is the featured image");
    let tags = post["tags"].as_array().unwrap();
    assert!(!tags.is_empty());
    let tag = site.get(&format!("/wp/v2/tags/{}", tags[0]), &[]);
    assert!(tag["name"].as_str().is_some());
    assert_eq!(
        state(dir.path())["stories"][&story][0]["wordpress"]["post"],
        id
    );

    // A rerun with nothing new makes no second post.
    let again = publish(&config);
    assert_eq!(
        again.stdout, "nothing new since 2021-01-18\n",
        "{}",
        again.stderr
    );
    assert_eq!(site.posts_with_slug(&slug).len(), 1);

    // The next release corrects the first edition: the same post is edited.
    add("2021-01-19");
    let second = publish(&config);
    assert_eq!(second.status, 0, "{}", second.stderr);
    assert!(
        second.stdout.contains("and 1 correction(s)"),
        "{}",
        second.stdout
    );
    let posts = site.posts_with_slug(&slug);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["id"].as_u64(), Some(id));
    assert!(
        posts[0]["content"]["raw"]
            .as_str()
            .unwrap()
            .contains("This report was corrected on"),
        "{:#}",
        posts[0]
    );
    assert_eq!(
        site.posts_with_slug(&format!("{story}-2021-01-19")).len(),
        1
    );

    // WordPress goes down: the edition is still written, the push is a warning.
    let mut site = site;
    let port = site.port;
    site.stop();
    add("2021-01-20");
    let down = publish(&config);
    assert_eq!(down.status, 0, "{}", down.stderr);
    assert!(down.stdout.starts_with("published 1"), "{}", down.stdout);
    assert!(down.stderr.contains("not pushed"), "{}", down.stderr);
    assert!(
        dir.path()
            .join(format!("out/{story}-2021-01-20/index.md"))
            .exists()
    );
    let st = state(dir.path());
    let third = &st["stories"][&story][2];
    assert_eq!(third["wordpress"]["pending"], true, "{third:#}");
    // Back up: a run with nothing new pushes what was missing.
    let site = Site::start_on(port);
    let catch_up = publish(&config);
    assert_eq!(
        catch_up.stdout, "nothing new since 2021-01-20\n",
        "{}",
        catch_up.stderr
    );
    let posts = site.posts_with_slug(&format!("{story}-2021-01-20"));
    assert_eq!(posts.len(), 1, "{}", catch_up.stderr);
    assert_eq!(
        state(dir.path())["stories"][&story][2]["wordpress"]["pending"],
        false
    );
}

/// A newsroom in `dir` posting one patch story, `story`, to `site` as `status`, its
/// application password read from `password`. Its requests wait up to 30 s: a chart upload to
/// the real WordPress took over 5 s on a loaded two-core machine, and a retry there would
/// read as a fault the test did not make.
fn newsroom(dir: &Path, site: &Site, story: &str, password: &Path, status: &str) -> PathBuf {
    NewsroomFixture::new(dir)
        .source_files("ltla-reconstructed.csv", &shared("population/mid-2019.csv"))
        .extra(&format!(
            "[wordpress]\nsite = \"{}\"\nuser = \"casewire\"\npassword_file = \"{}\"\n\
             status = \"{status}\"\ntimeout_secs = 30\n",
            site.base(),
            password.display()
        ))
        .story(story, "se-london.toml")
        .patch_file("se-london.toml", se_london())
        .write()
}

fn add_release(dir: &Path, release: &str) {
    place_release(
        dir,
        release,
        "ltla-reconstructed.csv",
        &shared(&format!("releases/{release}/ltla-reconstructed.csv")),
        Place::Link,
    );
}

#[test]
fn a_withdrawn_editions_post_goes_to_the_trash_and_a_rerun_does_not_bring_it_back() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let story = format!("wp-withdrawn-{}", std::process::id());
    add_release(dir.path(), "2021-01-18");
    let config = newsroom(dir.path(), &site, &story, &password_file(), "publish");
    let first = publish(&config);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let slug = format!("{story}-2021-01-18");
    let posts = site.posts_with_slug(&slug);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(posts[0]["status"], "publish");
    let id = posts[0]["id"].as_u64().unwrap();

    let run = Casewire::new()
        .args(["withdraw", &slug, "--config", arg(&config)])
        .args(["--reason", "the wrong patch", "--by", "Ada"])
        .run();
    assert_eq!(run.status, 0, "{}", run.stderr);
    let post = site.get(&format!("/wp/v2/posts/{id}"), &[("context", "edit")]);
    assert_eq!(post["status"], "trash", "{post:#}");
    assert!(site.posts_with_slug(&slug).is_empty());
    let st = state(dir.path());
    assert_eq!(
        st["stories"][&story][0]["wordpress"]["trashed"], true,
        "{st:#}"
    );

    // Later runs leave it where it is.
    let rerun = publish(&config);
    assert_eq!(
        rerun.stdout, "nothing new since 2021-01-18\n",
        "{}",
        rerun.stderr
    );
    assert!(site.posts_with_slug(&slug).is_empty());
    let post = site.get(&format!("/wp/v2/posts/{id}"), &[("context", "edit")]);
    assert_eq!(post["status"], "trash");
}

#[test]
fn a_refused_password_is_reported_once_and_the_next_run_with_the_right_one_catches_up() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    let story = format!("wp-401-{}", std::process::id());
    add_release(dir.path(), "2021-01-18");
    let wrong = dir.path().join("wrong-password");
    std::fs::write(&wrong, "abcd efgh ijkl mnop qrst uvwx\n").unwrap();
    let config = newsroom(dir.path(), &site, &story, &wrong, "draft");
    let refused = publish(&config);
    // The Markdown is out all the same; the push is a warning naming the site and the cause.
    assert_eq!(refused.status, 0, "{}", refused.stderr);
    assert_eq!(
        refused.stdout, "published 1 for release 2021-01-18\n",
        "{}",
        refused.stderr
    );
    let slug = format!("{story}-2021-01-18");
    assert!(dir.path().join(format!("out/{slug}/index.md")).exists());
    let said = unstamped(&refused.stderr);
    assert!(
        said.contains(&format!(
            "WordPress at {} refused the credentials of user \"casewire\" (HTTP 401",
            site.base()
        )),
        "{said}"
    );
    assert!(said.contains("wordpress.password_file"), "{said}");
    // Asked once: a refused password is not worth asking again.
    assert!(!said.contains("retrying"), "{said}");
    assert!(!said.contains("gave up"), "{said}");
    assert_eq!(
        state(dir.path())["stories"][&story][0]["wordpress"]["pending"],
        true
    );
    assert!(site.posts_with_slug(&slug).is_empty());

    // The right password: a run with nothing new pushes the post, once.
    let config = newsroom(dir.path(), &site, &story, &password_file(), "draft");
    let fixed = publish(&config);
    assert_eq!(
        fixed.stdout, "nothing new since 2021-01-18\n",
        "{}",
        fixed.stderr
    );
    assert_eq!(site.posts_with_slug(&slug).len(), 1, "{}", fixed.stderr);
    assert_eq!(
        state(dir.path())["stories"][&story][0]["wordpress"]["pending"],
        false
    );
    let again = publish(&config);
    assert_eq!(again.status, 0, "{}", again.stderr);
    assert_eq!(site.posts_with_slug(&slug).len(), 1);
}

#[test]
fn with_every_area_set_each_area_page_becomes_a_post_once_and_withdrawing_trashes_them_all() {
    let site = Site::start();
    let dir = tempfile::tempdir().unwrap();
    // Three areas (the fixture patch's), so a post per area stays quick.
    let story = format!("wp-areas-{}", std::process::id());
    place_release(
        dir.path(),
        "2021-01-18",
        "tiny.csv",
        &fixture("data/tiny.csv"),
        Place::Link,
    );
    let config = NewsroomFixture::new(dir.path())
        .source_files("tiny.csv", &fixture("data/population.csv"))
        .extra(&format!(
            "[wordpress]\nsite = \"{}\"\nuser = \"casewire\"\npassword_file = \"{}\"\n\
             status = \"publish\"\ntimeout_secs = 30\nevery_area = true\n",
            site.base(),
            password_file().display()
        ))
        .patch_file("tiny.toml", fixture("patches/tiny.toml"))
        .extra(&format!(
            "[[story]]\nname = \"{story}\"\npatch = \"tiny.toml\"\neach_area = true\n\
             universe = \"england\"\n"
        ))
        .write();
    let first = publish(&config);
    assert_eq!(first.status, 0, "{}", first.stderr);
    let areas = [
        "bromley-e09000006",
        "dartford-e07000107",
        "lewisham-e09000023",
    ];
    let slug = |area: &str| format!("{story}-2021-01-18-{area}");
    let mut ids = Vec::new();
    for area in areas {
        let posts = site.posts_with_slug(&slug(area));
        assert_eq!(posts.len(), 1, "{area}: {}", first.stderr);
        assert_eq!(posts[0]["status"], "publish");
        let title = posts[0]["title"]["raw"].as_str().unwrap();
        let name = area.split('-').next().unwrap();
        assert!(title.to_lowercase().contains(name), "{area}: {title}");
        ids.push(posts[0]["id"].as_u64().unwrap());
    }
    let st = state(dir.path());
    let recorded = &st["stories"][&story][0]["area_posts"];
    assert_eq!(
        recorded[&format!("{story}-2021-01-18/bromley-e09000006")]["post"],
        ids[0],
        "{st:#}"
    );

    // A rerun makes no second post of any area.
    let again = publish(&config);
    assert_eq!(
        again.stdout, "nothing new since 2021-01-18\n",
        "{}",
        again.stderr
    );
    for area in areas {
        assert_eq!(site.posts_with_slug(&slug(area)).len(), 1, "{area}");
    }

    // Withdrawn, the edition's posts all go to the trash.
    let withdrawn = Casewire::new()
        .args(["withdraw", &format!("{story}-2021-01-18")])
        .args(["--config", arg(&config), "--reason", "test data"])
        .run();
    assert_eq!(withdrawn.status, 0, "{}", withdrawn.stderr);
    for id in ids {
        let post = site.get(&format!("/wp/v2/posts/{id}"), &[("context", "edit")]);
        assert_eq!(post["status"], "trash", "{post:#}");
    }
}
