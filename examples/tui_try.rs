// TEMPORARY (not committed): drive forklore::app::run_tui by hand.
fn main() {
    let mut args = std::env::args().skip(1);
    let script = std::path::absolute(args.next().expect("script")).unwrap();
    let theme = match std::env::var("THEME").as_deref() {
        Ok("hc") => forklore::ui::ThemeName::HighContrast,
        _ => forklore::ui::ThemeName::Default,
    };
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |i| {
        forklore::runtime::kill_all_runs();
        prev(i)
    }));
    let config = forklore::runtime::RunConfig {
        python: "python3".into(),
        script,
        args: args.collect(),
        lines: true,
        watch: vec!["pageList".into()],
        slow: std::env::var("SLOW")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(1.0),
        ..Default::default()
    };
    let (_tx, rx) = crossbeam_channel::unbounded();
    let recorder = std::env::var("REC")
        .ok()
        .map(|p| forklore::record::Recorder::create(p.as_ref()).unwrap());
    let opts = forklore::app::TuiOptions {
        title: "try".into(),
        theme,
        recorder,
    };
    let status = forklore::app::run_tui(config, opts, &rx).unwrap();
    eprintln!("status {status}");
    std::process::exit(status);
}
