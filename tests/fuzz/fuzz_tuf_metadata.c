/* fuzz_tuf_metadata.c - the TUF metadata parser and signature check on
 * arbitrary bytes: byte 0 picks the role type (root, timestamp, snapshot,
 * targets); the rest is the document. A root is also checked against its
 * own keys, as a client checks a new root; every other type against the
 * fixed root of the seeds. Any document parsed is re-encoded with the
 * canonical JSON writer. Seeds: one signed document of each type, made
 * with a fresh Ed25519 key (public material only is kept). */
#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

#include "fuzz_common.h"
#include "tuf/tuf_impl.h"

#define TARGET "fuzz_tuf_metadata"

static struct tuf_md *seed_root;

static char *
signed_doc(json_t *signed_part, const uint8_t sk[64], const char *keyid)
{
	char *canon = NULL, *out;
	size_t len = 0;
	uint8_t sig[64];
	char hex[129];
	json_t *doc;

	FZ_REQUIRE(pv_tuf_cjson(signed_part, &canon, &len) == 0);
	crypto_sign_detached(sig, NULL, (const uint8_t *)canon, len, sk);
	free(canon);
	pv_hex_encode(hex, sig, 64);
	doc = json_pack("{s:o,s:[{s:s,s:s}]}", "signed", signed_part,
	                "signatures", "keyid", keyid, "sig", hex);
	FZ_REQUIRE(doc != NULL);
	out = json_dumps(doc, JSON_COMPACT);
	FZ_REQUIRE(out != NULL);
	json_decref(doc);
	return out;
}

static void
make_seeds(void)
{
	uint8_t pk[32], sk[64];
	char pkhex[65], *s;
	const char *kid =
	    "8f6c4e2e3a1d5b7c9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f";
	const char *exp = "2030-01-01T00:00:00Z";
	json_t *keyids;

	FZ_REQUIRE(sodium_init() >= 0);
	crypto_sign_keypair(pk, sk);
	pv_hex_encode(pkhex, pk, 32);
	keyids = json_pack("[s]", kid);
	FZ_REQUIRE(keyids != NULL);
	s = signed_doc(json_pack(
	    "{s:s,s:s,s:i,s:s,s:b,s:{s:{s:s,s:s,s:{s:s}}},"
	    "s:{s:{s:O,s:i},s:{s:O,s:i},s:{s:O,s:i},s:{s:O,s:i}}}",
	    "_type", "root", "spec_version", "1.0.31", "version", 1,
	    "expires", exp, "consistent_snapshot", 1, "keys", kid, "keytype",
	    "ed25519", "scheme", "ed25519", "keyval", "public", pkhex, "roles",
	    "root", "keyids", keyids, "threshold", 1, "timestamp", "keyids",
	    keyids, "threshold", 1, "snapshot", "keyids", keyids, "threshold", 1,
	    "targets", "keyids", keyids, "threshold", 1), sk, kid);
	fz_seed(TARGET, "root", TUF_ROOT, s, strlen(s));
	fz_save_str(TARGET, "root.json", s);
	free(s);
	s = signed_doc(json_pack(
	    "{s:s,s:s,s:i,s:s,s:{s:{s:i,s:i,s:{s:s}}}}", "_type", "timestamp",
	    "spec_version", "1.0.31", "version", 7, "expires", exp, "meta",
	    "snapshot.json", "version", 3, "length", 512, "hashes", "sha256",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"),
	    sk, kid);
	fz_seed(TARGET, "timestamp", TUF_TIMESTAMP, s, strlen(s));
	free(s);
	s = signed_doc(json_pack(
	    "{s:s,s:s,s:i,s:s,s:{s:{s:i},s:{s:i}}}", "_type", "snapshot",
	    "spec_version", "1.0.31", "version", 3, "expires", exp, "meta",
	    "targets.json", "version", 2, "a%2Fb.json", "version", 1), sk, kid);
	fz_seed(TARGET, "snapshot", TUF_SNAPSHOT, s, strlen(s));
	free(s);
	s = signed_doc(json_pack(
	    "{s:s,s:s,s:i,s:s,s:{s:{s:i,s:{s:s},s:{s:s}}},"
	    "s:{s:{s:{s:s,s:s,s:{s:s}}},s:[{s:s,s:O,s:i,s:b,s:[s]},"
	    "{s:s,s:O,s:i,s:b,s:[s]}]}}",
	    "_type", "targets", "spec_version", "1.0.31", "version", 2,
	    "expires", exp, "targets", "trusted_root.json", "length", 6,
	    "hashes", "sha256",
	    "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",
	    "custom", "sigstore", "Active", "delegations", "keys", kid,
	    "keytype", "ed25519", "scheme", "ed25519", "keyval", "public", pkhex,
	    "roles", "name", "a/b", "keyids", keyids, "threshold", 1,
	    "terminating", 1, "paths", "dir/*", "name", "h", "keyids", keyids,
	    "threshold", 1, "terminating", 0, "path_hash_prefixes", "ab"), sk,
	    kid);
	fz_seed(TARGET, "targets", TUF_TARGETS, s, strlen(s));
	free(s);
	json_decref(keyids);
	sodium_memzero(sk, sizeof(sk));
	fz_save_str(TARGET, "done", "1");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct pv_bytes done = { NULL, 0 }, root = { NULL, 0 };
	char why[512];

	(void)argc;
	(void)argv;
	if (fz_load(TARGET, "done", &done) != 0)
		make_seeds();
	pv_bytes_clear(&done);
	FZ_REQUIRE(fz_load(TARGET, "root.json", &root) == 0);
	FZ_REQUIRE(tuf_md_parse(&seed_root, TUF_ROOT, "root", root.data,
	                        root.len, why, sizeof(why)) == 0);
	pv_bytes_clear(&root);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tuf_md *md = NULL;
	char why[512], *canon = NULL;
	size_t len = 0;
	int type;

	if (size < 1)
		return 0;
	type = data[0] % 4;
	if (tuf_md_parse(&md, type, tuf_type_name(type), data + 1, size - 1,
	                 why, sizeof(why)) != 0) {
		FZ_REQUIRE(md == NULL);
		return 0;
	}
	FZ_REQUIRE(md != NULL);
	if (type == TUF_ROOT)
		(void)tuf_md_verify(md, &md->keys, &md->roles[TUF_ROOT], "root",
		                    "root", why, sizeof(why));
	else
		(void)tuf_md_verify(md, &seed_root->keys, &seed_root->roles[type],
		                    tuf_type_name(type), "root", why, sizeof(why));
	if (pv_tuf_cjson(json_object_get(md->doc, "signed"), &canon, &len) == 0)
		free(canon);
	tuf_md_free(md);
	return 0;
}
