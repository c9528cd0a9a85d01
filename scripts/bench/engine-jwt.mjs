#!/usr/bin/env node
// The seed document's own way to mint a thirdweb Engine keypair token, as a whole process, for
// scripts/bench.sh to time against `keyward-cli jwt mint`:
//
//   node scripts/bench/engine-jwt.mjs PRIVATE_PEM_FILE PUBLIC_PEM_FILE
//
// Prints the token. jsonwebtoken comes from tests/interop (installed by scripts/lib.sh kw_deps).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("../../tests/interop/package.json", import.meta.url));
const jsonwebtoken = require("jsonwebtoken");
const [privateFile, publicFile] = process.argv.slice(2);
const privateKey = readFileSync(privateFile, "utf8");
const publicKey = readFileSync(publicFile, "utf8").trim();
const payload = { iss: publicKey };
const accessToken = jsonwebtoken.sign(payload, privateKey, { algorithm: "ES256", expiresIn: "15s" });
process.stdout.write(accessToken + "\n");
