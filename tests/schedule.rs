//! `coach schedule add|list|remove` through the real binary, in a scratch
//! XDG_CONFIG_HOME: the units it writes pass `systemd-analyze verify`,
//! list reads them back, remove takes them away, and `systemctl --user`
//! is asked to load and start them (a stand-in systemctl records that, as
//! these machines have no user manager; without one, coach says what to
//! run).

mod common;

use std::process::Output;

use common::*;

/// `coach schedule ARGS` with the units in `env`'s config folder and, if
/// `systemctl` is given, that program first on PATH as systemctl.
fn schedule(env: &Env, args: &[&str], systemctl: bool) -> Output {
    let mut c = env.command();
    c.arg("schedule").args(args);
    // No user manager answers here: XDG_RUNTIME_DIR is empty.
    std::fs::create_dir_all(env.path("run")).unwrap();
    c.env("XDG_RUNTIME_DIR", env.path("run"));
    if systemctl {
        let path = std::env::var("PATH").unwrap_or_default();
        c.env("PATH", format!("{}:{path}", env.path("bin").display()));
    }
    c.output().expect("coach runs")
}

fn units(env: &Env) -> std::path::PathBuf {
    env.path("config/systemd/user")
}

#[test]
fn schedules_round_trip_through_systemd_units_that_verify() {
    let env = Env::new();
    // A stand-in systemctl that records what it was asked.
    let calls = env.path("systemctl.log");
    env.write(
        "bin/systemctl",
        &format!("#!/bin/sh\necho \"$@\" >> '{}'\n", calls.display()),
    );
    std::fs::set_permissions(
        env.path("bin/systemctl"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    env.write(
        "my routine.toml",
        "title = \"T\"\n[[exercise]]\nname = \"Reach\"\nhold = \"2s\"\n",
    );

    let out = schedule(
        &env,
        &[
            "add",
            "hamstring-lower-back",
            "--at",
            "7:30",
            "--days",
            "mon-fri",
        ],
        true,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("scheduled: hamstring-lower-back at 07:30, mon-fri"),
        "{}",
        stderr(&out)
    );
    let out = schedule(
        &env,
        &[
            "add",
            "my routine.toml",
            "--at",
            "18:05",
            "--days",
            "fri-mon",
            "--voice",
            "en-gb",
            "--catch-up",
            "--name",
            "weekend",
        ],
        true,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let asked = std::fs::read_to_string(&calls).unwrap();
    assert_eq!(
        asked,
        "--user daemon-reload\n--user enable --now coach-schedule-hamstring-lower-back-0730.timer\n\
         --user daemon-reload\n--user enable --now coach-schedule-weekend.timer\n"
    );

    // The units: what systemd takes, the time and days, a missed time not
    // played late unless asked, and the file's absolute path quoted.
    let dir = units(&env);
    let timer = std::fs::read_to_string(dir.join("coach-schedule-hamstring-lower-back-0730.timer"))
        .unwrap();
    assert!(
        timer.contains("\nOnCalendar=Mon..Fri *-*-* 07:30:00\n"),
        "{timer}"
    );
    assert!(timer.contains("\nPersistent=false\n"), "{timer}");
    let weekend = std::fs::read_to_string(dir.join("coach-schedule-weekend.timer")).unwrap();
    assert!(
        weekend.contains("\nOnCalendar=Fri..Sun,Mon *-*-* 18:05:00\n"),
        "{weekend}"
    );
    assert!(weekend.contains("\nPersistent=true\n"), "{weekend}");
    let service = std::fs::read_to_string(dir.join("coach-schedule-weekend.service")).unwrap();
    let file = std::fs::canonicalize(env.path("my routine.toml")).unwrap();
    assert!(
        service.contains(&format!(
            "\nExecStart={} play --quiet \"{}\" --voice en-gb\n",
            env!("CARGO_BIN_EXE_coach"),
            file.display()
        )),
        "{service}"
    );
    let mut verify = std::process::Command::new("systemd-analyze");
    verify
        .args(["verify", "--man=no", "--user"])
        .env("XDG_RUNTIME_DIR", env.path("run"));
    for name in ["hamstring-lower-back-0730", "weekend"] {
        for kind in ["timer", "service"] {
            verify.arg(dir.join(format!("coach-schedule-{name}.{kind}")));
        }
    }
    let out = verify
        .output()
        .expect("systemd-analyze (make test installs systemd)");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // list reads them back, as text and JSON.
    let out = schedule(&env, &["list"], false);
    let text = stdout(&out);
    assert!(
        text.contains("hamstring-lower-back-0730  07:30  mon-fri  hamstring-lower-back\n"),
        "{text}"
    );
    assert!(
        text.contains("weekend") && text.contains("--voice en-gb (catches up)"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&schedule(&env, &["list", "--json"], false).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[1]["name"], "weekend");
    assert_eq!(json[1]["at"], "18:05");
    assert_eq!(json[1]["catch_up"], true);

    // A second schedule of the same name is refused; a bad time or day
    // is an error that names it; nothing is written for them.
    let out = schedule(
        &env,
        &["add", "hamstring-lower-back", "--at", "07:30"],
        false,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("exists already"), "{}", stderr(&out));
    for (flag, value, says) in [
        ("--at", "25:00", "give a time of day as HH:MM"),
        ("--days", "mon-fry", "\"fry\" is not a day"),
    ] {
        let mut args = vec!["add", "hamstring-lower-back", "--name", "x"];
        if flag == "--at" {
            args.extend([flag, value]);
        } else {
            args.extend(["--at", "06:00", flag, value]);
        }
        let out = schedule(&env, &args, false);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    // A routine that is not there is said once, as play says it.
    let out = schedule(&env, &["add", "no-such-routine", "--at", "06:00"], false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: no routine named \"no-such-routine\";"),
        "{}",
        stderr(&out)
    );
    // A voice that cannot be one is refused as play refuses it.
    let out = schedule(
        &env,
        &[
            "add",
            "hamstring-lower-back",
            "--at",
            "06:00",
            "--name",
            "x",
            "--voice",
            "a b",
        ],
        false,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not a voice name"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.join("coach-schedule-x.timer").exists());

    // remove stops it and takes its units away.
    let out = schedule(&env, &["remove", "weekend"], true);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.join("coach-schedule-weekend.timer").exists());
    assert!(!dir.join("coach-schedule-weekend.service").exists());
    assert!(
        std::fs::read_to_string(&calls)
            .unwrap()
            .ends_with("--user disable --now coach-schedule-weekend.timer\n--user daemon-reload\n")
    );
    let out = schedule(&env, &["remove", "weekend"], false);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no schedule named weekend"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn without_a_user_manager_it_says_what_to_run() {
    let env = Env::new();
    let out = schedule(
        &env,
        &["add", "hamstring-lower-back", "--at", "06:45"],
        false,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "; `coach serve` plays it while it runs, or once the manager runs: systemctl --user daemon-reload && systemctl --user enable --now coach-schedule-hamstring-lower-back-0645.timer"
        ),
        "{}",
        stderr(&out)
    );
    assert!(
        units(&env)
            .join("coach-schedule-hamstring-lower-back-0645.timer")
            .exists()
    );
    let out = schedule(&env, &["list"], false);
    assert!(
        stdout(&out).contains("hamstring-lower-back-0645  06:45  daily"),
        "{}",
        stdout(&out)
    );
}
