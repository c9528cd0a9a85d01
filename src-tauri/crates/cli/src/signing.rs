//! `sign`, `verify`, `siwe …`, `jwt …`: argument parsing and printing only. Signing and minting
//! run in the agent when one serves the vault, else in this process after an unlock.

use crate::context::{CliContext, Need};
use crate::secrets;
use clap::{Args, Subcommand, ValueEnum};
use keyward_crypto::jwt;
use keyward_crypto::sign::{self, JwsAlg};
use keyward_crypto::siwe;
use keyward_crypto::CryptoError;
use keyward_crypto::PublicKey;
use keyward_vault::api::{
    Encoding, JwtMode, MintOptions, Scheme, SignInput, SignRequest, VerifyOptions, VerifyRequest,
};
use keyward_vault::{Result, VaultError};
use std::process::ExitCode;

/// Largest message, body or SIWE file read.
const MAX_INPUT: usize = 1 << 20;

#[derive(Clone, Copy, ValueEnum)]
pub enum SchemeArg {
    Raw,
    Eip191,
    Bsm,
    Eos,
    Ed25519,
}

impl SchemeArg {
    fn lib(self) -> Scheme {
        match self {
            SchemeArg::Raw => Scheme::Raw,
            SchemeArg::Eip191 => Scheme::Eip191,
            SchemeArg::Bsm => Scheme::Bsm,
            SchemeArg::Eos => Scheme::Eos,
            SchemeArg::Ed25519 => Scheme::Ed25519,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, Default)]
pub enum EncodingArg {
    /// ASN.1 DER (OpenSSL's form)
    #[default]
    Der,
    /// Fixed-size r‖s (JOSE, WebCrypto)
    Rs,
}

/// What to sign or verify: exactly one of these.
#[derive(Args)]
#[group(required = true, multiple = false)]
pub struct InputArgs {
    /// Text, signed as its UTF-8 bytes
    #[arg(long)]
    message: Option<String>,
    /// Bytes as hex (0x optional)
    #[arg(long)]
    hex: Option<String>,
    /// A precomputed digest as hex: 32 bytes (48 for p384); raw and eos schemes only
    #[arg(long)]
    digest: Option<String>,
    /// The bytes of a file (- for standard input)
    #[arg(long, value_name = "FILE")]
    message_file: Option<String>,
}

impl InputArgs {
    fn input(self) -> Result<SignInput> {
        Ok(
            match (self.message, self.hex, self.digest, self.message_file) {
                (Some(m), ..) => SignInput::Message(m),
                (_, Some(h), ..) => SignInput::Hex(h),
                (_, _, Some(d), _) => SignInput::Digest(d),
                (_, _, _, Some(f)) => {
                    let bytes = read_limited(&f)?;
                    SignInput::Hex(hex::encode(bytes))
                }
                _ => {
                    return Err(VaultError::Usage(
                        "give --message, --hex, --digest or --message-file".into(),
                    ))
                }
            },
        )
    }
}

fn read_limited(f: &str) -> Result<Vec<u8>> {
    let bytes = secrets::read_bounded(Some(f), MAX_INPUT + 1)?;
    if bytes.len() > MAX_INPUT {
        return Err(
            CryptoError::BadSignatureInput(format!("the input is over {MAX_INPUT} bytes")).into(),
        );
    }
    Ok(bytes)
}

fn read_text(f: &str) -> Result<String> {
    String::from_utf8(read_limited(f)?)
        .map_err(|_| CryptoError::BadSignatureInput(format!("{f} is not UTF-8 text")).into())
}

#[derive(Args)]
pub struct SignArgs {
    /// The key (id, id prefix or label)
    #[arg(long)]
    key: String,
    #[arg(long, value_enum)]
    scheme: SchemeArg,
    #[command(flatten)]
    input: InputArgs,
    /// raw scheme: DER (default) or r‖s
    #[arg(long, value_enum, default_value_t)]
    encoding: EncodingArg,
}

#[derive(Args)]
pub struct VerifyArgs {
    #[arg(long, value_enum)]
    scheme: SchemeArg,
    /// The signature: hex (0x optional), base64 (bsm), SIG_K1_… (eos)
    #[arg(long)]
    signature: String,
    #[command(flatten)]
    input: InputArgs,
    /// A key of this vault
    #[arg(long, group = "who")]
    key: Option<String>,
    /// An Ethereum address (eip191), a P2PKH address (bsm) or an EOS public key (eos)
    #[arg(long, group = "who")]
    address: Option<String>,
    /// A public key: PEM (text or a file path), JWK, PUB_K1_/EOS…, or SEC1/Ed25519 hex
    #[arg(long, group = "who")]
    pubkey: Option<String>,
    /// The curve of a hex --pubkey where its length leaves it open (p256 vs secp256k1)
    #[arg(long, value_enum)]
    pubkey_alg: Option<crate::AlgArg>,
}

/// Reads `--pubkey`: a path to a file when one exists, else the text itself.
fn pubkey_text(p: &str) -> Result<String> {
    if !p.trim_start().starts_with("-----") && std::path::Path::new(p).is_file() {
        return read_text(p);
    }
    Ok(p.to_string())
}

pub fn sign(a: SignArgs, ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let req = SignRequest {
        key: a.key,
        scheme: a.scheme.lib(),
        input: a.input.input()?,
        encoding: match a.encoding {
            EncodingArg::Der => Encoding::Der,
            EncodingArg::Rs => Encoding::Rs,
        },
    };
    let sig = ctx.with_backend(Need::Key, |b| b.key_sign(req))?;
    if out.json {
        out.result(&sig);
    } else {
        println!("{}", sig.signature);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn verify(a: VerifyArgs, ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    let scheme = a.scheme.lib();
    let input = a.input.input()?;
    let verdict = match a.key {
        Some(key) => ctx.with_backend(Need::Index, |b| {
            b.key_verify(VerifyRequest {
                scheme,
                input,
                signature: a.signature,
                key: Some(key),
                address: None,
                pubkey: None,
                pubkey_alg: None,
            })
        })?,
        // No vault needed: everything is given.
        None => VerifyRequest {
            scheme,
            input,
            signature: a.signature,
            key: None,
            address: a.address,
            pubkey: a.pubkey.as_deref().map(pubkey_text).transpose()?,
            pubkey_alg: a.pubkey_alg.map(|x| x.lib()),
        }
        .verify(None)?,
    };
    if out.json {
        out.result(&verdict);
    } else if verdict.valid {
        println!("valid: {}", verdict.reason);
    } else {
        println!("INVALID: {}", verdict.reason);
    }
    Ok(if verdict.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Subcommand)]
pub enum SiweCmd {
    /// Build an EIP-4361 message (printed on stdout)
    Build {
        /// The requesting host[:port]
        #[arg(long)]
        domain: String,
        /// The signer's address; or --key to take a vault key's
        #[arg(long, required_unless_present = "key")]
        address: Option<String>,
        /// A vault key whose Ethereum address signs in
        #[arg(long, conflicts_with = "address")]
        key: Option<String>,
        /// The URI the sign-in is for
        #[arg(long)]
        uri: String,
        #[arg(long, default_value_t = 1)]
        chain_id: u64,
        #[arg(long)]
        statement: Option<String>,
        /// At least 8 letters and digits (random when absent)
        #[arg(long)]
        nonce: Option<String>,
        /// Expiration Time, from now (15s, 5m, 1h)
        #[arg(long, value_name = "DURATION")]
        expires_in: Option<String>,
        /// The URI scheme of the requesting origin (https), if the message names it
        #[arg(long)]
        scheme: Option<String>,
        #[arg(long)]
        request_id: Option<String>,
        /// A resource URI (repeatable)
        #[arg(long = "resource")]
        resources: Vec<String>,
    },
    /// Sign a SIWE message with EIP-191 (the key's address must be the message's)
    Sign {
        #[arg(long)]
        key: String,
        /// The message (- for standard input)
        #[arg(long, value_name = "FILE")]
        message_file: String,
    },
    /// Verify a signed SIWE message: signature, expiry, not-before, and what you name
    Verify {
        #[arg(long, value_name = "FILE")]
        message_file: String,
        /// 0x-hex r‖s‖v
        #[arg(long)]
        signature: String,
        /// The domain you expect
        #[arg(long)]
        domain: Option<String>,
        /// The nonce you issued
        #[arg(long)]
        nonce: Option<String>,
        /// The origin that asked (https://app.example): its host must be the message's domain
        #[arg(long)]
        origin: Option<String>,
    },
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

pub fn siwe_cmd(cmd: SiweCmd, ctx: &CliContext) -> Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        SiweCmd::Build {
            domain,
            address,
            key,
            uri,
            chain_id,
            statement,
            nonce,
            expires_in,
            scheme,
            request_id,
            resources,
        } => {
            let address = match (address, key) {
                (Some(a), _) => a,
                (None, Some(k)) => ctx
                    .with_backend(Need::Index, |b| {
                        b.key_export(&k, keyward_crypto::PublicFormat::Eth)
                    })?
                    .trim()
                    .to_string(),
                (None, None) => unreachable!("clap requires one"),
            };
            let expiration_time = match expires_in {
                Some(d) => Some(now() + time::Duration::seconds(jwt::parse_duration(&d)? as i64)),
                None => None,
            };
            let msg = siwe::build(siwe::SiweParams {
                scheme,
                domain,
                address,
                statement,
                uri,
                chain_id,
                nonce,
                issued_at: None,
                expiration_time,
                not_before: None,
                request_id,
                resources,
            })
            .map_err(CryptoError::from)?;
            if out.json {
                out.result(&serde_json::json!({"message": msg.to_message(), "fields": msg}));
            } else {
                print!("{}", msg.to_message());
                if atty_stdout() {
                    println!();
                }
            }
        }
        SiweCmd::Sign { key, message_file } => {
            let text = read_text(&message_file)?;
            let signed = ctx.with_backend(Need::Key, |b| b.siwe_sign(&key, &text))?;
            if out.json {
                out.result(&signed);
            } else {
                println!("{}", signed.signature);
            }
        }
        SiweCmd::Verify {
            message_file,
            signature,
            domain,
            nonce,
            origin,
        } => {
            let text = read_text(&message_file)?;
            let msg = siwe::parse(&text).map_err(CryptoError::from)?;
            let sig = sign::decode_signature(Scheme::Eip191, &signature)?;
            let verdict = siwe::verify(
                &msg,
                &sig,
                &siwe::VerifyOpts {
                    domain,
                    nonce,
                    now: now(),
                    origin,
                },
            );
            if out.json {
                out.result(&verdict);
            } else {
                for c in &verdict.checks {
                    println!(
                        "{} {:<11} {}",
                        if c.ok { "ok  " } else { "FAIL" },
                        c.id,
                        c.detail
                    );
                }
                println!("{}", if verdict.valid { "valid" } else { "INVALID" });
            }
            if !verdict.valid {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether standard output is a terminal (a message printed there gets a final newline; piped,
/// it is byte-exact).
fn atty_stdout() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal()
}

#[derive(Clone, Copy, ValueEnum)]
pub enum JwtAlgArg {
    #[value(name = "ES256")]
    Es256,
    #[value(name = "ES384")]
    Es384,
    #[value(name = "ES256K")]
    Es256k,
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "PS256")]
    Ps256,
    #[value(name = "EdDSA", alias = "Ed25519")]
    EdDsa,
}

impl JwtAlgArg {
    pub fn lib(self) -> JwsAlg {
        match self {
            JwtAlgArg::Es256 => JwsAlg::ES256,
            JwtAlgArg::Es384 => JwsAlg::ES384,
            JwtAlgArg::Es256k => JwsAlg::ES256K,
            JwtAlgArg::Rs256 => JwsAlg::RS256,
            JwtAlgArg::Ps256 => JwsAlg::PS256,
            JwtAlgArg::EdDsa => JwsAlg::EdDSA,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, Default)]
pub enum ModeArg {
    /// thirdweb Engine keypair auth: iss = the key's PEM (or --kid), short exp, optional bodyHash
    #[default]
    Engine,
    /// A standard JWT: iat, exp and the claims asked for
    Generic,
}

#[derive(Args)]
pub struct MintArgs {
    /// The key (id, id prefix or label)
    #[arg(long)]
    pub key: String,
    #[arg(long, value_enum, default_value_t)]
    pub mode: ModeArg,
    /// The algorithm (default: the key's: ES256 p256, ES384 p384, RS256 RSA, EdDSA ed25519,
    /// ES256K secp256k1)
    #[arg(long, value_enum)]
    pub alg: Option<JwtAlgArg>,
    /// Lifetime (15s, 2m, 90); default the `jwt-default-exp` setting (15 s unless changed)
    #[arg(long)]
    pub exp: Option<String>,
    /// Refuse lifetimes above this; default the `jwt-max-exp` setting (5 min unless changed)
    #[arg(long)]
    pub max_exp: Option<String>,
    /// Audience (repeatable)
    #[arg(long)]
    pub aud: Vec<String>,
    #[arg(long)]
    pub sub: Option<String>,
    /// nbf, from now (0s = now)
    #[arg(long, value_name = "DURATION")]
    pub nbf: Option<String>,
    /// jti; without a value, a random one
    #[arg(long, num_args = 0..=1, default_missing_value = "")]
    pub jti: Option<String>,
    /// A claim name=value (repeatable); a value that is JSON is taken as JSON
    #[arg(long = "claim", value_name = "NAME=VALUE")]
    pub claims: Vec<String>,
    /// Bind a JSON body: bodyHash = SHA-256 of it as Engine re-serialises it (send the compact
    /// body --json prints, or keyward-cli engine call)
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<String>,
    /// Engine mode: the PEM's SHA-256 in the header kid instead of the PEM in iss
    #[arg(long)]
    pub kid: bool,
    /// An Engine service profile: name the key exactly as Engine stored it at registration,
    /// with the registered algorithm and the profile's lifetime ceiling
    #[arg(long)]
    pub service: Option<String>,
}

impl MintArgs {
    pub fn options(&self) -> Result<MintOptions> {
        let mut claims = serde_json::Map::new();
        for c in &self.claims {
            let (k, v) = jwt::parse_claim(c)?;
            claims.insert(k, v);
        }
        Ok(MintOptions {
            mode: match self.mode {
                ModeArg::Engine => JwtMode::Engine,
                ModeArg::Generic => JwtMode::Generic,
            },
            alg: self.alg.map(JwtAlgArg::lib),
            exp_secs: self.exp.as_deref().map(jwt::parse_duration).transpose()?,
            max_exp_secs: self
                .max_exp
                .as_deref()
                .map(jwt::parse_duration)
                .transpose()?,
            use_kid: self.kid,
            registered_pem: None,
            aud: self.aud.clone(),
            sub: self.sub.clone(),
            nbf_in_secs: self.nbf.as_deref().map(jwt::parse_duration).transpose()?,
            jti: self.jti.as_ref().map(|j| {
                if j.is_empty() {
                    keyward_crypto::random_id(16)
                } else {
                    j.clone()
                }
            }),
            claims,
            body: self.body_file.as_deref().map(read_limited).transpose()?,
        })
    }
}

#[derive(Subcommand)]
pub enum JwtCmd {
    /// Mint a token; prints the token alone on stdout
    Mint(MintArgs),
    /// Verify a token's signature and claims; says what was and was not checked
    Verify {
        /// The token (- for standard input; a leading "Bearer " is ignored)
        token: String,
        #[arg(long, group = "who", required = true)]
        key: Option<String>,
        /// A public key file (PEM or JWK)
        #[arg(long, group = "who", value_name = "FILE")]
        pubkey_file: Option<String>,
        /// An algorithm to accept (repeatable; required: none is never accepted)
        #[arg(long, value_enum, required = true)]
        alg: Vec<JwtAlgArg>,
        /// Require this iss
        #[arg(long)]
        iss: Option<String>,
        /// Require this audience
        #[arg(long)]
        aud: Option<String>,
        /// Clock tolerance for exp and nbf
        #[arg(long, default_value = "0s")]
        leeway: String,
        /// Refuse a token without exp
        #[arg(long)]
        require_exp: bool,
    },
    /// Decode a token WITHOUT verifying it
    Inspect {
        /// The token (- for standard input)
        token: String,
    },
}

fn token_arg(t: &str) -> Result<String> {
    if t == "-" {
        Ok(read_text("-")?.trim().to_string())
    } else {
        Ok(t.to_string())
    }
}

pub fn jwt_cmd(cmd: JwtCmd, ctx: &CliContext) -> keyward_services::Result<ExitCode> {
    let out = &ctx.out;
    match cmd {
        JwtCmd::Mint(a) => {
            let minted = match &a.service {
                Some(s) => crate::services::mint_for_service(ctx, &a, s)?,
                None => {
                    let opts = a.options()?;
                    ctx.with_backend(Need::Key, |b| b.jwt_mint(&a.key, opts))?
                }
            };
            if out.json {
                out.result(&minted);
            } else {
                println!("{}", minted.token);
            }
        }
        JwtCmd::Verify {
            token,
            key,
            pubkey_file,
            alg,
            iss,
            aud,
            leeway,
            require_exp,
        } => {
            let token = token_arg(&token)?;
            let options = VerifyOptions {
                algorithms: alg.into_iter().map(JwtAlgArg::lib).collect(),
                iss,
                aud,
                leeway_secs: jwt::parse_duration(&leeway)?,
                require_exp,
            };
            let verified = match (key, pubkey_file) {
                (Some(k), _) => ctx.with_backend(Need::Index, |b| {
                    b.jwt_verify(keyward_vault::api::JwtVerifyRequest {
                        token: token.clone(),
                        key: Some(k),
                        pubkey: None,
                        options: options.clone(),
                    })
                })?,
                (None, Some(f)) => {
                    let pk = PublicKey::from_text(&read_text(&f)?, None)?;
                    jwt::verify(
                        &token,
                        &pk,
                        &options,
                        time::OffsetDateTime::now_utc().unix_timestamp(),
                    )?
                }
                (None, None) => unreachable!("clap requires one"),
            };
            if out.json {
                out.result(&verified);
            } else {
                println!("valid {} token", verified.alg);
                for c in &verified.checks {
                    println!("  ok   {:<9} {}", c.id, c.detail);
                }
                for n in &verified.not_checked {
                    println!("  not checked: {n}");
                }
                println!(
                    "{}",
                    serde_json::to_string_pretty(&verified.claims).expect("JSON")
                );
            }
        }
        JwtCmd::Inspect { token } => {
            let token = token_arg(&token)?;
            let i = jwt::inspect(&token, time::OffsetDateTime::now_utc().unix_timestamp())?;
            if out.json {
                out.result(&i);
            } else {
                println!("NOT VERIFIED: {}", i.note);
                println!("header: {}", i.header);
                println!(
                    "claims: {}",
                    serde_json::to_string_pretty(&i.claims).expect("JSON")
                );
                if let Some(e) = i.expires_in_secs {
                    if e > 0 {
                        println!("expires in {e} s");
                    } else {
                        println!("expired {} s ago", -e);
                    }
                }
                if let Some(h) = &i.engine_key_hash {
                    println!("Engine key hash: {h}");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
