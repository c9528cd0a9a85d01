#!/usr/bin/env node
// Keyward interop toolbox: independent implementations of the key formats Keyward reads and
// writes, for the integration tests (tests/src/interop.rs) to check Keyward against.
//
//   node kw-interop.mjs <command> [args...]
//
// Prints exactly ONE line of JSON on stdout. On any error: the message on stderr, exit code 1.
// Secrets come as arguments: these are throw-away test keys only. A file argument may be `-`
// for standard input.
//
// Libraries (pinned in package.json / package-lock.json): ethers 6, eosjs-ecc 4, @bsv/sdk 2,
// jose 6, jose 5 (as "jose5": jose 6 has no ES256K; jose 5 signs and verifies it on Node
// through node:crypto), jsonwebtoken 9 (what thirdweb Engine verifies keypair tokens with),
// siwe 3, and node:crypto. Each command loads only the library it needs, to keep start-up short
// (the tests spawn this script many times).

import { readFileSync } from "node:fs";

const USAGE = `usage: node kw-interop.mjs <command> [args...]
  eth-address <hex32>                          {"address"}                      ethers.computeAddress (EIP-55)
  keystore-write <hex32> <password> [scryptN]  the keystore v3 object            ethers encryptKeystoreJsonSync (N default 131072)
  keystore-read <file> <password>              {"privateKey","address"}         ethers decryptKeystoreJson
  mnemonic <phrase> <path> [bip39passphrase]   {"address","privateKey","publicKey","xprv","xpub"}  ethers HDNodeWallet.fromPhrase
  xprv <xprv|xpub>                             {"xpub","privateKey","publicKey","address"}          ethers HDNodeWallet.fromExtendedKey
  eos <WIF|PVT_K1_...>                         {"legacy","k1","wif","pvt","hex"}  eosjs-ecc
  eos-from-hex <hex32>                         {"legacy","k1","wif","pvt","hex"}  eosjs-ecc
  btc <hex32>                                  {"address","wif"}                @bsv/sdk (P2PKH compressed, mainnet)
  wif-to-hex <wif>                             {"hex","compressed"}             @bsv/sdk
  jwk-private <pem-file>                       the private JWK                  node:crypto
  jwk-public <pem-file>                        the public JWK + "thumbprint"    node:crypto, jose calculateJwkThumbprint (sha256)
  spki-pem-from-jwk <json-file>                {"pem"}                          node:crypto
  pkcs8-pem-from-jwk <json-file>               {"pem"}                          node:crypto

Signatures and tokens. eos-verify, bsm-verify and siwe-verify print their verdict (exit 0 even
when invalid); jwt-verify-engine and jose-verify fail (exit 1, the library's message on stderr)
when the token does not verify, as the libraries throw. [enc] is how the message argument is
read: utf8 (default) or hex.
  eth-verify-message <message> <sig> [enc]     {"address"}                      ethers.verifyMessage (EIP-191 signer)
  eth-sign-message <hex32> <message> [enc]     {"signature","address"}          ethers Wallet.signMessage
  eth-sign-digest <hex32> <digest32>...        {"signatures":[{"r","s","v"}…]}  ethers SigningKey.sign: secp256k1, RFC 6979, low-S, no
                                                                                EOS canonical loop (r differs from EOS's when it retried)
  siwe-verify <message-file> <sig> [domain] [nonce]
                                               {"success","error"?,"data"}      siwe new SiweMessage(text).verify({signature})
  eos-verify <data> <SIG_K1_...> <pubkey> [enc]
                                               {"valid","recovered","recoveredK1"}  eosjs-ecc verify + recover
  eos-sign <data> <WIF|PVT_K1_...> [enc]       {"signature"}                    eosjs-ecc sign (RFC 6979 + EOS canonical loop)
  eos-sign-many <WIF|PVT_K1_...> <enc> <data>...
                                               {"signatures":[…]}               eos-sign of each data, in one start-up
  bsm-verify <message> <base64sig> <address>   {"valid","address","compressed","recovery"}
                                               @bsv/sdk Signature.fromCompact + RecoverPublicKey + BSM.verify
  jwt-verify-engine <token> <pem-file> <alg>   {"payload","header"}             jsonwebtoken.verify(token, pem, {algorithms:[alg]}),
                                                                                exactly thirdweb Engine's keypair check
  jose-verify <token> <jwk-or-pem-file> <alg>  {"payload","protectedHeader"}    jose jwtVerify(…, {algorithms:[alg]}) (jose5 for ES256K)
  jose-mint <private-jwk-file> <alg> [claimsJson]
                                               {"token"}                        jose SignJWT (iat, exp +2m; ES256K via jose5)
  jose-mint-high-s <private-jwk-file> <alg> [claimsJson]
                                               {"token","s"}                    jose-mint, then s := n - s when s <= n/2 (ES256K, ES256)`;

class UsageError extends Error {}

// secp256k1 group order: a private scalar must be in [1, n-1]. Checked here because some of the
// libraries silently reduce an out-of-range scalar mod n instead of refusing it.
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** A 32-byte secp256k1 private scalar as 64 lower-case hex digits (no 0x); `0x` is accepted. */
function scalarHex(arg) {
  const hex = String(arg).replace(/^0x/i, "").toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(`expected a 32-byte private key as 64 hex digits, got ${hex.length} characters`);
  }
  const d = BigInt("0x" + hex);
  if (d === 0n || d >= SECP256K1_N) throw new Error("private key is out of range for secp256k1");
  return hex;
}

function readText(file) {
  return readFileSync(file === "-" ? 0 : file, "utf8");
}

function readJson(file) {
  try {
    return JSON.parse(readText(file));
  } catch (e) {
    if (e instanceof SyntaxError) throw new Error(`${file}: not JSON: ${e.message}`);
    throw e;
  }
}

function need(args, min, max, synopsis) {
  if (args.length < min || args.length > max) throw new UsageError(`usage: ${synopsis}`);
}

// ---------------------------------------------------------------------------------------------
// Ethereum (ethers 6)

async function ethAddress(args) {
  need(args, 1, 1, "eth-address <hex32>");
  const { computeAddress } = await import("ethers");
  return { address: computeAddress("0x" + scalarHex(args[0])) };
}

async function keystoreWrite(args) {
  need(args, 2, 3, "keystore-write <hex32> <password> [scryptN]");
  const { computeAddress, encryptKeystoreJsonSync } = await import("ethers");
  const privateKey = "0x" + scalarHex(args[0]);
  const options = {};
  if (args[2] !== undefined) {
    const n = Number(args[2]);
    // scrypt needs a power of two greater than 1.
    if (!Number.isSafeInteger(n) || n < 2 || (n & (n - 1)) !== 0) {
      throw new Error(`scryptN must be a power of two >= 2, got ${args[2]}`);
    }
    options.scrypt = { N: n };
  }
  // What Wallet.encryptSync writes (ethers' default N = 131072), with N adjustable for speed.
  const text = encryptKeystoreJsonSync(
    { address: computeAddress(privateKey), privateKey },
    args[1],
    options,
  );
  return JSON.parse(text);
}

async function keystoreRead(args) {
  need(args, 2, 2, "keystore-read <file> <password>");
  const { decryptKeystoreJson } = await import("ethers");
  const account = await decryptKeystoreJson(readText(args[0]), args[1]);
  const out = { privateKey: account.privateKey, address: account.address };
  // An ethers keystore of an HD wallet also carries its mnemonic ("x-ethers"): pass it on
  // ({entropy, path, locale}); absent otherwise.
  if (account.mnemonic) out.mnemonic = account.mnemonic;
  return out;
}

async function mnemonic(args) {
  need(args, 2, 3, "mnemonic <phrase> <path> [bip39passphrase]");
  const { HDNodeWallet } = await import("ethers");
  const wallet = HDNodeWallet.fromPhrase(args[0], args[2] ?? "", args[1]);
  return {
    address: wallet.address,
    privateKey: wallet.privateKey,
    publicKey: wallet.signingKey.compressedPublicKey,
    xprv: wallet.extendedKey,
    xpub: wallet.neuter().extendedKey,
  };
}

async function xprv(args) {
  need(args, 1, 1, "xprv <xprv>");
  const { HDNodeWallet } = await import("ethers");
  const node = HDNodeWallet.fromExtendedKey(args[0]);
  if (!(node instanceof HDNodeWallet)) {
    // An xpub: ethers gives an HDNodeVoidWallet, which has no private key.
    return { xpub: node.extendedKey, privateKey: null, publicKey: node.publicKey, address: node.address };
  }
  return {
    xpub: node.neuter().extendedKey,
    privateKey: node.privateKey,
    publicKey: node.signingKey.compressedPublicKey,
    address: node.address,
  };
}

// ---------------------------------------------------------------------------------------------
// EOS (eosjs-ecc 4)
//
// eosjs-ecc 4 reads both private formats (legacy WIF and PVT_K1_) but prints only the legacy
// ones: PublicKey.toString() gives "EOS..." and PrivateKey.toString() the WIF; the PUB_K1_ /
// PVT_K1_ printers are commented out in its source. So the K1 forms are built here from the
// primitive it exports for exactly that, key_utils.checkEncode(buffer, 'K1'): base58 of
// key || ripemd160(key || "K1")[0..4], which is the code eosjs-ecc has commented out.

async function eosjs() {
  const { default: ecc } = await import("eosjs-ecc");
  return ecc;
}

function eosOut(ecc, priv) {
  const pub = priv.toPublic();
  return {
    legacy: pub.toString("EOS"),
    k1: "PUB_K1_" + ecc.key_utils.checkEncode(pub.toBuffer(), "K1"),
    wif: priv.toWif(),
    pvt: "PVT_K1_" + ecc.key_utils.checkEncode(priv.toBuffer(), "K1"),
    hex: priv.toBuffer().toString("hex"),
  };
}

async function eos(args) {
  need(args, 1, 1, "eos <WIF|PVT_K1_...>");
  const ecc = await eosjs();
  const priv = ecc.PrivateKey.fromString(args[0]);
  scalarHex(priv.toBuffer().toString("hex")); // eosjs-ecc does not range-check the scalar
  return eosOut(ecc, priv);
}

async function eosFromHex(args) {
  need(args, 1, 1, "eos-from-hex <hex32>");
  const ecc = await eosjs();
  return eosOut(ecc, ecc.PrivateKey.fromHex(scalarHex(args[0])));
}

// ---------------------------------------------------------------------------------------------
// Bitcoin (@bsv/sdk 2; its legacy P2PKH addresses and WIF are Bitcoin's)

async function btc(args) {
  need(args, 1, 1, "btc <hex32>");
  const { PrivateKey } = await import("@bsv/sdk/primitives");
  // modN 'error': refuse, rather than reduce, an out-of-range scalar (checked above as well).
  const key = new PrivateKey(scalarHex(args[0]), "hex", "be", "error");
  return { address: key.toAddress([0x00]), wif: key.toWif([0x80]) };
}

async function wifToHex(args) {
  need(args, 1, 1, "wif-to-hex <wif>");
  const { PrivateKey, Utils } = await import("@bsv/sdk/primitives");
  const { prefix, data } = Utils.fromBase58Check(args[0]); // throws on a bad checksum
  if (prefix[0] !== 0x80 && prefix[0] !== 0xef) {
    throw new Error(`not a WIF: version byte 0x${prefix[0].toString(16)} (want 0x80 or 0xef)`);
  }
  if (data.length === 33) {
    // PrivateKey.fromWif reads only this, the compressed form (a trailing 0x01).
    return { hex: scalarHex(PrivateKey.fromWif(args[0]).toHex()), compressed: true };
  }
  if (data.length === 32) {
    // Uncompressed WIF, which PrivateKey.fromWif refuses: decoded with @bsv/sdk's Base58Check.
    return { hex: scalarHex(Utils.toHex(data)), compressed: false };
  }
  throw new Error(`not a WIF: ${data.length}-byte payload (want 32 or 33)`);
}

// ---------------------------------------------------------------------------------------------
// JWK (node:crypto, jose)

async function jwkPrivate(args) {
  need(args, 1, 1, "jwk-private <pem-file>");
  const { createPrivateKey } = await import("node:crypto");
  return createPrivateKey(readText(args[0])).export({ format: "jwk" });
}

async function jwkPublic(args) {
  need(args, 1, 1, "jwk-public <pem-file>");
  const { createPublicKey } = await import("node:crypto");
  const { calculateJwkThumbprint } = await import("jose");
  // A private key PEM works too: node derives its public key.
  const jwk = createPublicKey(readText(args[0])).export({ format: "jwk" });
  return { ...jwk, thumbprint: await calculateJwkThumbprint(jwk, "sha256") };
}

async function spkiPemFromJwk(args) {
  need(args, 1, 1, "spki-pem-from-jwk <json-file>");
  const { createPublicKey } = await import("node:crypto");
  const pem = createPublicKey({ key: readJson(args[0]), format: "jwk" }).export({
    type: "spki",
    format: "pem",
  });
  return { pem };
}

async function pkcs8PemFromJwk(args) {
  need(args, 1, 1, "pkcs8-pem-from-jwk <json-file>");
  const { createPrivateKey } = await import("node:crypto");
  const pem = createPrivateKey({ key: readJson(args[0]), format: "jwk" }).export({
    type: "pkcs8",
    format: "pem",
  });
  return { pem };
}

// ---------------------------------------------------------------------------------------------
// Signatures: EIP-191 / SIWE (ethers 6, siwe 3), EOS (eosjs-ecc 4), BSM (@bsv/sdk 2)

/** How a message argument is to be read: `utf8` (default) or `hex` (0x optional). */
function encodingArg(arg) {
  const enc = arg ?? "utf8";
  if (enc !== "utf8" && enc !== "hex") throw new UsageError(`encoding must be utf8 or hex, got ${enc}`);
  return enc;
}

function hexArg(arg) {
  const hex = String(arg).replace(/^0x/i, "");
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`not an even number of hex digits: ${arg}`);
  return hex.toLowerCase();
}

/** A message for ethers: a string (its UTF-8 bytes are signed) or the bytes of a hex string. */
async function ethMessage(message, enc) {
  if (enc === "utf8") return message;
  const { getBytes } = await import("ethers");
  return getBytes("0x" + hexArg(message));
}

async function ethVerifyMessage(args) {
  need(args, 2, 3, "eth-verify-message <message> <sig> [utf8|hex]");
  const { verifyMessage } = await import("ethers");
  return { address: verifyMessage(await ethMessage(args[0], encodingArg(args[2])), args[1]) };
}

async function ethSignMessage(args) {
  need(args, 2, 3, "eth-sign-message <hex32> <message> [utf8|hex]");
  const { Wallet } = await import("ethers");
  const wallet = new Wallet("0x" + scalarHex(args[0]));
  const signature = await wallet.signMessage(await ethMessage(args[1], encodingArg(args[2])));
  return { signature, address: wallet.address };
}

async function ethSignDigest(args) {
  need(args, 2, Infinity, "eth-sign-digest <hex32> <digest32>...");
  const { SigningKey } = await import("ethers");
  const key = new SigningKey("0x" + scalarHex(args[0]));
  const signatures = args.slice(1).map((arg) => {
    const digest = hexArg(arg);
    if (digest.length !== 64) throw new Error(`expected a 32-byte digest, got ${digest.length / 2} bytes`);
    const sig = key.sign("0x" + digest);
    return { r: sig.r.slice(2), s: sig.s.slice(2), v: sig.v };
  });
  return { signatures };
}

async function siweVerify(args) {
  need(args, 2, 4, "siwe-verify <message-file> <signature> [domain] [nonce]");
  const { SiweMessage } = await import("siwe");
  // Parsed by the library's ABNF parser; a message it cannot parse is an error (exit 1).
  const message = new SiweMessage(readText(args[0]));
  const params = { signature: args[1] };
  if (args[2]) params.domain = args[2];
  if (args[3]) params.nonce = args[3];
  // suppressExceptions: a failed check resolves to {success: false, error} instead of throwing.
  const res = await message.verify(params, { suppressExceptions: true });
  const d = res.data;
  const data = {};
  for (const f of [
    "scheme", "domain", "address", "statement", "uri", "version", "chainId", "nonce",
    "issuedAt", "expirationTime", "notBefore", "requestId", "resources",
  ]) {
    if (d?.[f] !== undefined) data[f] = d[f];
  }
  const out = { success: res.success === true, data };
  if (!out.success) out.error = res.error?.type ?? res.error?.message ?? String(res.error);
  return out;
}

async function eosVerify(args) {
  need(args, 3, 4, "eos-verify <data> <SIG_K1_...> <pubkey> [utf8|hex]");
  const ecc = await eosjs();
  const enc = encodingArg(args[3]);
  const data = enc === "hex" ? hexArg(args[0]) : args[0];
  const recovered = ecc.recover(args[1], data, enc);
  const pub = ecc.PublicKey.fromString(recovered);
  return {
    valid: ecc.verify(args[1], data, args[2], enc),
    recovered,
    recoveredK1: "PUB_K1_" + ecc.key_utils.checkEncode(pub.toBuffer(), "K1"),
  };
}

async function eosSign(args) {
  need(args, 2, 3, "eos-sign <data> <WIF|PVT_K1_...> [utf8|hex]");
  const ecc = await eosjs();
  const enc = encodingArg(args[2]);
  const data = enc === "hex" ? hexArg(args[0]) : args[0];
  return { signature: ecc.sign(data, args[1], enc) };
}

async function eosSignMany(args) {
  need(args, 3, Infinity, "eos-sign-many <WIF|PVT_K1_...> <utf8|hex> <data>...");
  const ecc = await eosjs();
  const enc = encodingArg(args[1]);
  const signatures = args
    .slice(2)
    .map((arg) => ecc.sign(enc === "hex" ? hexArg(arg) : arg, args[0], enc));
  return { signatures };
}

async function bsmVerify(args) {
  need(args, 3, 3, "bsm-verify <message> <base64sig> <address>");
  const { BSM } = await import("@bsv/sdk/compat");
  const { BigNumber, Hash, Signature, Utils } = await import("@bsv/sdk/primitives");
  const message = Utils.toArray(args[0], "utf8");
  const bytes = Utils.toArray(args[1], "base64");
  // Throws unless 65 bytes with a header byte in 27..34 (what go-sdk's bsm accepts).
  const sig = Signature.fromCompact(args[1], "base64");
  const recovery = (bytes[0] - 27) & 3;
  const compressed = bytes[0] >= 31;
  const pub = sig.RecoverPublicKey(recovery, new BigNumber(BSM.magicHash(message)));
  const address = compressed
    ? pub.toAddress([0x00])
    : Utils.toBase58Check(Hash.hash160(pub.encode(false)), [0x00]);
  return {
    valid: BSM.verify(message, sig, pub) && address === args[2],
    address,
    compressed,
    recovery,
  };
}

// ---------------------------------------------------------------------------------------------
// JWT: jsonwebtoken 9 (thirdweb Engine's verifier), jose 6 and jose 5 (ES256K)

async function jwtVerifyEngine(args) {
  need(args, 3, 3, "jwt-verify-engine <token> <pem-file> <alg>");
  const { default: jwt } = await import("jsonwebtoken");
  // Exactly handleKeypairAuth's check (PROTOCOLS.md §2.1): the stored PEM, the stored algorithm.
  const payload = jwt.verify(args[0], readText(args[1]), { algorithms: [args[2]] });
  return { payload, header: jwt.decode(args[0], { complete: true }).header };
}

/** jose 6 (WebCrypto) has no ES256K; jose 5 has it on Node (through node:crypto). */
async function joseFor(alg) {
  return alg === "ES256K" ? import("jose5") : import("jose");
}

async function joseVerify(args) {
  need(args, 3, 3, "jose-verify <token> <jwk-or-pem-file> <alg>");
  const [token, file, alg] = args;
  const jose = await joseFor(alg);
  const text = readText(file);
  let key;
  if (text.trimStart().startsWith("-----BEGIN")) {
    key = await jose.importSPKI(text, alg);
  } else {
    // A private JWK works too: verified with its public part.
    const { d, p, q, dp, dq, qi, ...pub } = readJson(file);
    key = await jose.importJWK(pub, alg);
  }
  const { payload, protectedHeader } = await jose.jwtVerify(token, key, { algorithms: [alg] });
  return { payload, protectedHeader };
}

async function joseMintToken(args, synopsis) {
  need(args, 2, 3, synopsis);
  const [file, alg, claims] = args;
  const jose = await joseFor(alg);
  const key = await jose.importJWK(readJson(file), alg);
  let body = {};
  if (claims !== undefined) {
    body = JSON.parse(claims);
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw new Error("claimsJson must be a JSON object");
    }
  }
  return new jose.SignJWT(body)
    .setProtectedHeader({ alg, typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("2m")
    .sign(key);
}

async function joseMint(args) {
  return { token: await joseMintToken(args, "jose-mint <private-jwk-file> <alg> [claimsJson]") };
}

// Group orders of the curves whose JWS signatures are r || s with 32-byte halves.
const CURVE_N = {
  ES256K: SECP256K1_N,
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
};

async function joseMintHighS(args) {
  const synopsis = "jose-mint-high-s <private-jwk-file> <alg> [claimsJson]";
  need(args, 2, 3, synopsis);
  const n = CURVE_N[args[1]];
  if (n === undefined) throw new UsageError(`usage: ${synopsis} (alg ES256K or ES256)`);
  const token = await joseMintToken(args, synopsis);
  const [h, p, sigB64] = token.split(".");
  const sig = Buffer.from(sigB64, "base64url");
  if (sig.length !== 64) throw new Error(`expected a 64-byte r || s, got ${sig.length} bytes`);
  let s = BigInt("0x" + sig.subarray(32).toString("hex"));
  // (r, s) and (r, n - s) are both valid; make sure the one sent is the high one.
  if (s <= n / 2n) s = n - s;
  const sHex = s.toString(16).padStart(64, "0");
  const out = Buffer.concat([sig.subarray(0, 32), Buffer.from(sHex, "hex")]);
  return { token: `${h}.${p}.${out.toString("base64url")}`, s: sHex };
}

// ---------------------------------------------------------------------------------------------

const COMMANDS = {
  "eth-address": ethAddress,
  "keystore-write": keystoreWrite,
  "keystore-read": keystoreRead,
  mnemonic,
  xprv,
  eos,
  "eos-from-hex": eosFromHex,
  btc,
  "wif-to-hex": wifToHex,
  "jwk-private": jwkPrivate,
  "jwk-public": jwkPublic,
  "spki-pem-from-jwk": spkiPemFromJwk,
  "pkcs8-pem-from-jwk": pkcs8PemFromJwk,
  "eth-verify-message": ethVerifyMessage,
  "eth-sign-message": ethSignMessage,
  "eth-sign-digest": ethSignDigest,
  "siwe-verify": siweVerify,
  "eos-verify": eosVerify,
  "eos-sign": eosSign,
  "eos-sign-many": eosSignMany,
  "bsm-verify": bsmVerify,
  "jwt-verify-engine": jwtVerifyEngine,
  "jose-verify": joseVerify,
  "jose-mint": joseMint,
  "jose-mint-high-s": joseMintHighS,
};

async function main(argv) {
  const [cmd, ...args] = argv;
  if (cmd === "help" || cmd === "--help" || cmd === "-h") {
    process.stderr.write(USAGE + "\n");
    return;
  }
  const run = Object.hasOwn(COMMANDS, cmd ?? "") ? COMMANDS[cmd] : undefined;
  if (!run) throw new UsageError(`${cmd ? `unknown command: ${cmd}` : "no command"}\n${USAGE}`);
  const out = await run(args);
  // One line: JSON.stringify without indentation escapes every newline inside strings.
  process.stdout.write(JSON.stringify(out) + "\n");
}

main(process.argv.slice(2)).catch((e) => {
  const msg = e instanceof UsageError ? e.message : `kw-interop ${process.argv[2]}: ${e?.message ?? e}`;
  process.stderr.write(msg + "\n");
  process.exitCode = 1;
});
