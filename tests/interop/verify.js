// verify.js TRUSTED_ROOT BUNDLE ARTIFACT|- IDENTITY ISSUER: verifies one
// bundle with sigstore-js (@sigstore/verify), requiring a transparency log
// entry, an SCT and an RFC 3161 timestamp; "-" for a DSSE bundle.
// JSDEBUG=1 prints where sigstore-js refused.
'use strict';
const fs = require('fs');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

const [rootPath, bundlePath, artifactPath, san, issuer] = process.argv.slice(2);
const trust = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(fs.readFileSync(rootPath))));
const verifier = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 1, tsaThreshold: 1 });
const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath)));
const entity = toSignedEntity(bundle, artifactPath === '-' ? undefined : fs.readFileSync(artifactPath));
try {
  verifier.verify(entity, { subjectAlternativeName: san, extensions: { issuer } });
  console.log(`sigstore-js: ${bundlePath}: verified`);
} catch (e) {
  console.log(`sigstore-js: ${bundlePath}: REJECTED: ${e.code || ''} ${e.message}`);
  if (process.env.JSDEBUG) console.log(e.stack, e.cause && e.cause.stack);
  process.exit(1);
}
