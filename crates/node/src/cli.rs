//! The `crossway` command line: `run` (the default), `check`, `tls-report`, `certs` (a
//! development set, or signing and making device certificate requests), `import-crossbar`,
//! and the client commands `pub`, `sub` and `call`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing::error;

use crate::client_commands::{CallArgs, Outcome, PublishArgs, SubscribeArgs};
use crate::config::{self, NodeConfig};
use crate::import_crossbar::{self, Folders};
use crate::{Node, certs, device_certs, logging, signals, tls_report};

/// The default configuration file, relative to the working directory.
pub const DEFAULT_CONFIG: &str = "config.yaml";

/// Crossway, a WAMP v2 router.
#[derive(Debug, Parser)]
#[command(name = "crossway", version, about)]
pub struct Cli {
    /// What to do; `run` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The configuration file.
    #[arg(long, short, global = true, default_value = DEFAULT_CONFIG)]
    pub config: PathBuf,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the node until SIGINT or SIGTERM.
    Run,
    /// Load and validate the configuration, print every problem, exit 1 if there is any.
    Check,
    /// Print, for each TLS endpoint, what an SSL server test would: protocol versions, suites
    /// in order, key, the chain as sent, client-certificate policy, a grade and a handshake
    /// simulation for common clients. Exit 1 if the configuration is not valid.
    TlsReport,
    /// Write a development CA, a server certificate and a client certificate (PEM) to a folder;
    /// or sign a device's certificate signing request (`sign`), or make one (`request`).
    #[command(args_conflicts_with_subcommands = true)]
    Certs {
        /// What to do instead of writing a development set.
        #[command(subcommand)]
        action: Option<CertsAction>,
        /// The folder to write `ca.pem`, `ca.key`, `server.pem`, `server.key`, `client.pem` and
        /// `client.key` to (created if needed).
        #[arg(long)]
        out: Option<PathBuf>,
        /// A host name or IP address for the server certificate; repeat for more (default:
        /// localhost and 127.0.0.1).
        #[arg(long = "host")]
        hosts: Vec<String>,
    },
    /// Publish one event (acknowledged) and leave.
    ///
    /// Exit status: 0 published, 1 refused (ERROR), 2 usage, 3 no connection, 4 session
    /// refused (ABORT), 5 no answer in time.
    #[command(name = "pub")]
    Publish(PublishArgs),
    /// Subscribe and print each event as one JSON line (until --count events or a signal).
    ///
    /// Exit status: 0 done, 1 refused (ERROR), 2 usage, 3 no connection or the session ended,
    /// 4 session refused (ABORT), 5 no answer in time.
    #[command(name = "sub")]
    Subscribe(SubscribeArgs),
    /// Call a procedure and print its result as one JSON line.
    ///
    /// Exit status: 0 result printed, 1 the callee or router answered ERROR, 2 usage, 3 no
    /// connection, 4 session refused (ABORT), 5 no answer in time.
    Call(CallArgs),
    /// Convert a Crossbar.io `config.json` to a Crossway `config.yaml`, list what could not be
    /// converted (exit 2 if anything), then check the result as `check` does.
    ImportCrossbar {
        /// Crossbar.io's configuration file.
        input: PathBuf,
        /// The file to write (default: `config.yaml` beside the input). An existing file is
        /// not replaced without `--force`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace the output file if it exists.
        #[arg(long)]
        force: bool,
    },
}

/// `crossway certs sign` and `crossway certs request`.
#[derive(Debug, Subcommand)]
pub enum CertsAction {
    /// Sign a device's certificate signing request with the CA: a client certificate for the
    /// request's public key (the device's private key never leaves it).
    Sign {
        /// The CA's folder, holding `ca.pem` and `ca.key` (as `crossway certs --out` writes them).
        #[arg(long)]
        ca: PathBuf,
        /// The request (PEM), made on the device (`openssl req -new ...` or `crossway certs
        /// request`).
        #[arg(long)]
        csr: PathBuf,
        /// Days the certificate is valid (1 to 3650).
        #[arg(long, default_value_t = device_certs::DEFAULT_DAYS)]
        days: u32,
        /// The certificate's common name (default: the request's).
        #[arg(long)]
        name: Option<String>,
        /// Where to write the certificate (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make a new private key (P-256) and a certificate signing request for it, on the device.
    Request {
        /// Where to write the private key (mode 0600; an existing file is not replaced).
        #[arg(long)]
        key_out: PathBuf,
        /// Where to write the request.
        #[arg(long)]
        csr_out: PathBuf,
        /// The common name to ask for (the device's authid with `tls` auth by common_name).
        #[arg(long)]
        name: String,
    },
}

impl Cli {
    /// Runs the command and returns the process's exit status.
    pub fn execute(self) -> ExitCode {
        match self.command.unwrap_or(Command::Run) {
            Command::Run => run(&self.config),
            Command::Check => check(&self.config),
            Command::Certs {
                action: Some(action),
                ..
            } => certs_action(action),
            Command::Certs {
                action: None,
                out: Some(out),
                hosts,
            } => certs(&out, hosts),
            Command::Certs {
                action: None,
                out: None,
                ..
            } => {
                eprintln!(
                    "crossway certs: give --out DIR for a development set, or `sign` or `request` (see --help)"
                );
                ExitCode::from(2)
            }
            Command::Publish(args) => client_command(args.run()),
            Command::Subscribe(args) => client_command(args.run()),
            Command::Call(args) => client_command(args.run()),
            Command::TlsReport => tls_report(&self.config),
            Command::ImportCrossbar { input, out, force } => import(&input, out, force),
        }
    }
}

/// Runs a client command; its log shows errors only unless `RUST_LOG` says otherwise.
fn client_command(command: impl std::future::Future<Output = Outcome>) -> ExitCode {
    logging::init(Some("error"));
    async_std::task::block_on(command).into()
}

fn check(file: &Path) -> ExitCode {
    if checked(file) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn tls_report(file: &Path) -> ExitCode {
    match config::load(file) {
        Ok(cfg) => {
            for w in &cfg.warnings {
                eprintln!("warning: {w}");
            }
            print!("{}", tls_report::report(&cfg));
            ExitCode::SUCCESS
        }
        Err(errors) => {
            eprint!("{errors}");
            ExitCode::FAILURE
        }
    }
}

/// Loads and validates `file`, printing what `check` prints; whether it is valid.
fn checked(file: &Path) -> bool {
    match config::load(file) {
        Ok(cfg) => {
            for w in &cfg.warnings {
                eprintln!("warning: {w}");
            }
            println!(
                "{}: configuration is valid: {} realm{}, {} endpoint{}",
                file.display(),
                cfg.realms.len(),
                plural(cfg.realms.len()),
                cfg.endpoints.len(),
                plural(cfg.endpoints.len())
            );
            print!("{}", tls_report::offers(&cfg));
            true
        }
        Err(errors) => {
            eprint!("{errors}");
            false
        }
    }
}

fn run(file: &Path) -> ExitCode {
    let cfg: NodeConfig = match config::load(file) {
        Ok(cfg) => cfg,
        Err(errors) => {
            eprint!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    logging::init_with(cfg.log_level.as_deref(), cfg.log_format);
    async_std::task::block_on(async move {
        let shutdown = match signals::shutdown_signal() {
            Ok(s) => s,
            Err(e) => {
                error!(error = %e, "cannot install signal handlers");
                return ExitCode::FAILURE;
            }
        };
        let node = match Node::bind(&cfg).await {
            Ok(node) => node,
            Err(e) => {
                error!("{e}");
                return ExitCode::FAILURE;
            }
        };
        if let Err(e) = signals::forward_reloads(node.reload_handle()) {
            error!(error = %e, "cannot install the SIGHUP handler");
            return ExitCode::FAILURE;
        }
        node.run(shutdown).await;
        ExitCode::SUCCESS
    })
}

fn certs(out: &Path, mut hosts: Vec<String>) -> ExitCode {
    if hosts.is_empty() {
        hosts = certs::DEFAULT_HOSTS.iter().map(|h| h.to_string()).collect();
    }
    let paths = certs::CertPaths::in_dir(out);
    match certs::write_dev_certificates(&paths, &hosts) {
        Ok(()) => {
            println!("development certificates for {} written:", hosts.join(", "));
            for p in paths.all() {
                println!("  {}", p.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("crossway certs: {e}");
            ExitCode::FAILURE
        }
    }
}

fn certs_action(action: CertsAction) -> ExitCode {
    match action {
        CertsAction::Sign {
            ca,
            csr,
            days,
            name,
            out,
        } => {
            let signed = match device_certs::sign_request(&ca, &csr, days, name.as_deref()) {
                Ok(signed) => signed,
                Err(e) => {
                    eprintln!("crossway certs sign: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match &out {
                Some(path) => {
                    if let Err(e) = certs::write(path, &signed.pem, false) {
                        eprintln!("crossway certs sign: {e}");
                        return ExitCode::FAILURE;
                    }
                }
                None => print!("{}", signed.pem),
            }
            eprintln!(
                "signed a client certificate for CN={}{} valid until {}{}",
                signed.common_name,
                if signed.alt_names.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", signed.alt_names.join(", "))
                },
                signed.not_after.date(),
                out.map(|p| format!(", written to {}", p.display()))
                    .unwrap_or_default()
            );
            ExitCode::SUCCESS
        }
        CertsAction::Request {
            key_out,
            csr_out,
            name,
        } => {
            if key_out.exists() {
                eprintln!(
                    "crossway certs request: {} exists; not replacing a private key",
                    key_out.display()
                );
                return ExitCode::FAILURE;
            }
            let (key, csr) = match device_certs::make_request(&name) {
                Ok(made) => made,
                Err(e) => {
                    eprintln!("crossway certs request: {e}");
                    return ExitCode::FAILURE;
                }
            };
            for (path, text, secret) in [(&key_out, &key, true), (&csr_out, &csr, false)] {
                if let Err(e) = certs::write(path, text, secret) {
                    eprintln!("crossway certs request: {e}");
                    return ExitCode::FAILURE;
                }
            }
            println!(
                "key written to {} (keep it here), request for CN={name} to {} (send it to be signed)",
                key_out.display(),
                csr_out.display()
            );
            ExitCode::SUCCESS
        }
    }
}

/// Exit status of `import-crossbar` when something could not be converted.
const PARTLY_CONVERTED: u8 = 2;

fn import(input: &Path, out: Option<PathBuf>, force: bool) -> ExitCode {
    let input_dir = input
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let out = out.unwrap_or_else(|| input_dir.join(DEFAULT_CONFIG));
    let output_dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let text = match std::fs::read_to_string(input) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "crossway import-crossbar: cannot read {}: {e}",
                input.display()
            );
            return ExitCode::FAILURE;
        }
    };
    let folders = Folders {
        input: input_dir,
        output: output_dir,
    };
    let imported = match import_crossbar::import(&text, &folders) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("crossway import-crossbar: {}: {e}", input.display());
            return ExitCode::FAILURE;
        }
    };
    if out.exists() && !force {
        eprintln!(
            "crossway import-crossbar: {} exists; give --force to replace it, or --out another file",
            out.display()
        );
        return ExitCode::FAILURE;
    }
    if let Err(e) = std::fs::write(&out, &imported.yaml) {
        eprintln!(
            "crossway import-crossbar: cannot write {}: {e}",
            out.display()
        );
        return ExitCode::FAILURE;
    }
    println!("{}: written from {}", out.display(), input.display());
    for d in &imported.dropped {
        println!("  dropped: {d}");
    }
    for u in &imported.untranslated {
        println!("  not converted: {u}");
    }
    if !checked(&out) {
        return ExitCode::FAILURE;
    }
    if imported.untranslated.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!(
            "{} part{} not converted (listed above and at the top of {})",
            imported.untranslated.len(),
            plural(imported.untranslated.len()),
            out.display()
        );
        ExitCode::from(PARTLY_CONVERTED)
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
