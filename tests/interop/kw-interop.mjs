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
// jose, and node:crypto. Each command loads only the library it needs, to keep start-up short
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
  pkcs8-pem-from-jwk <json-file>               {"pem"}                          node:crypto`;

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
