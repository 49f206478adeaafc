//! A device given where a file belongs is refused before it is read: `/dev/zero` as data, a
//! population table, a patch, a newsroom file or copy to lint would be read for ever.

use crate::support::*;

fn refused(run: Run, what: &str) {
    assert_ne!(run.status, 0, "{what}: {}", run.stderr);
    assert!(
        run.stderr.contains("/dev/zero") && run.stderr.contains("it is a device, not a file"),
        "{what}: {}",
        run.stderr
    );
}

#[test]
fn dev_zero_as_any_input_is_refused_naming_it() {
    let data = shared("releases/2021-01-18/ltla-reconstructed.csv");
    let population = shared("population/mid-2019.csv");
    let patch = se_london();
    let draft = |data: &str, population: &str, patch: &str| {
        Casewire::new()
            .args(["draft", "--patch", patch, "--data", data])
            .args(["--population", population, "--release", "2021-01-18"])
            .run()
    };
    refused(draft("/dev/zero", arg(&population), arg(&patch)), "--data");
    refused(draft(arg(&data), "/dev/zero", arg(&patch)), "--population");
    refused(draft(arg(&data), arg(&population), "/dev/zero"), "--patch");
    refused(Casewire::new().args(["lint", "/dev/zero"]).run(), "lint");
    refused(
        Casewire::new()
            .args(["publish", "--config", "/dev/zero"])
            .run(),
        "publish --config",
    );
}
