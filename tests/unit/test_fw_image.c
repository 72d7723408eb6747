/* test_fw_image.c: images verify only when intact, signed by the trusted key and meant for this device; every
 * refusal has its own error and fault code; the manifest parser names the line; installs are all or nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/file.h"
#include "firmware/fwerr.h"
#include "firmware/image.h"
#include "firmware/key.h"
#include "firmware/manifest.h"
#include "firmware/slot.h"
#include "firmware/tree.h"

#define PC "LifelineHeNB"

static char tmp[64];
static char src[128];
static char img_path[128];
static struct fw_key key;
static struct fw_key other_key;

static void path_of(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", tmp, rel);
}

static void write_file(const char *dir, const char *rel, const void *data, size_t len, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	mkdir(dir, 0755);
	assert_int_equal(fw__mkdirs(dir, rel), LF_OK);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	fchmod(fd, mode);
	close(fd);
}

static void read_all(const char *path, struct lf_buf *b)
{
	lf_buf_init(b, 16 * 1024 * 1024);
	assert_int_equal(lf_file_read(path, b), LF_OK);
}

/* Copy the image to name, flipping the byte at off (or truncating to off with trunc). */
static void mutate(const char *name, long off, int trunc, char *out, size_t outlen)
{
	struct lf_buf b;
	read_all(img_path, &b);
	path_of(out, outlen, name);
	size_t len = b.len;
	if (trunc)
		len = (size_t)off;
	else
		b.data[off] ^= 0x01;
	assert_int_equal(lf_file_write_atomic(out, b.data, len), LF_OK);
	lf_buf_free(&b);
}

static void build(const char *dir, const char *version, const char *hw, const char *out)
{
	char err[512];
	struct fw_build b = {.src_dir = dir, .product_class = PC, .hw_versions = hw, .version = version,
			     .out_path = out};
	int rc = fw_image_build(&b, &key, err, sizeof(err));
	if (rc)
		fail_msg("build: %s", err);
}

/* A signed image from any manifest text and payload: what a key holder could make by hand. */
static void raw_image(const char *out, const char *manifest, const void *payload, size_t plen,
		      const struct fw_key *k)
{
	struct lf_buf b;
	uint8_t sig[FW_SIG_LEN];
	lf_buf_init(&b, 1 << 20);
	assert_int_equal(fw_image_signed_message(manifest, (uint32_t)strlen(manifest), &b), LF_OK);
	fw_key_sign(k, b.data, b.len, sig);
	assert_int_equal(lf_buf_append(&b, sig, sizeof(sig)), LF_OK);
	assert_int_equal(lf_buf_append(&b, payload, plen), LF_OK);
	assert_int_equal(lf_file_write_atomic(out, b.data, b.len), LF_OK);
	lf_buf_free(&b);
}

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/lf-test-fwimg-XXXXXX");
	assert_non_null(mkdtemp(tmp));
	snprintf(src, sizeof(src), "%s/src", tmp);
	snprintf(img_path, sizeof(img_path), "%s/image.lfi", tmp);
	fw_key_generate(&key);
	fw_key_generate(&other_key);
	const char script[] = "#!/bin/sh\nexit 0\n";
	write_file(src, "bin/henbd", script, sizeof(script) - 1, 0755);
	write_file(src, "etc/henbd.conf", "[acs]\nurl = http://hems\n", 24, 0644);
	/* Bigger than one 64 KiB read chunk, so streaming crosses chunk borders. */
	static char big[200000];
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	write_file(src, "lib/firmware.bin", big, sizeof(big), 0644);
	build(src, "2.0.1", "1.0,1.1", img_path);
	return 0;
}

static int teardown(void **state)
{
	fw__tree_remove(tmp);
	fw_key_wipe(&key);
	fw_key_wipe(&other_key);
	return 0;
}

static void expect(const char *path, int want, const char *pc, const char *hw, const char *needle)
{
	char err[512] = "";
	int rc = fw_image_verify(path, key.pub, pc, hw, err, sizeof(err));
	if (rc != want)
		fail_msg("%s: got %d (%s) want %d", path, rc, err, want);
	if (needle && !strstr(err, needle))
		fail_msg("%s: message '%s' lacks '%s'", path, err, needle);
}

static void test_built_image_verifies_and_lists_files_sorted(void **state)
{
	char err[512];
	struct fw_image img;
	expect(img_path, LF_OK, PC, "1.1", NULL);
	assert_int_equal(fw_image_open(&img, img_path, key.pub, err, sizeof(err)), LF_OK);
	assert_true(img.verified);
	assert_string_equal(img.manifest.version, "2.0.1");
	assert_int_equal(img.manifest.nhw, 2);
	assert_int_equal(img.manifest.nfiles, 3);
	assert_string_equal(img.manifest.files[0].path, "bin/henbd");
	assert_int_equal(img.manifest.files[0].mode, 0755);
	assert_string_equal(img.manifest.files[1].path, "etc/henbd.conf");
	assert_int_equal(img.manifest.files[1].mode, 0644);
	assert_string_equal(img.manifest.files[2].path, "lib/firmware.bin");
	assert_int_equal(img.manifest.files[2].size, 200000);
	assert_int_equal(fw_image_verify_payload(&img, err, sizeof(err)), LF_OK);
	assert_int_equal(fw_image_verify_payload(&img, err, sizeof(err)), LF_OK); /* repeatable */
	fw_image_close(&img);
	fw_image_close(&img); /* safe twice */
}

static void test_flipped_payload_byte_is_hash_mismatch(void **state)
{
	char err[512], p[256];
	struct fw_image img;
	assert_int_equal(fw_image_open(&img, img_path, NULL, err, sizeof(err)), LF_OK);
	long payload = (long)img.payload_off;
	fw_image_close(&img);
	mutate("flip-payload-first", payload, 0, p, sizeof(p));
	expect(p, FW_EHASH, PC, "1.0", "bin/henbd");
	mutate("flip-payload-last", payload + 17 + 24 + 199999, 0, p, sizeof(p));
	expect(p, FW_EHASH, PC, "1.0", "lib/firmware.bin");
	assert_int_equal(fw_fault_code(FW_EHASH), 9018);
}

static void test_flipped_header_or_signature_byte_is_bad_signature(void **state)
{
	char p[256];
	mutate("flip-manifest", FW_HEADER_LEN + 20, 0, p, sizeof(p));
	expect(p, FW_ESIG, PC, "1.0", "signature");
	mutate("flip-magic-free-sig", FW_HEADER_LEN + 300, 0, p, sizeof(p)); /* inside the manifest still */
	expect(p, FW_ESIG, NULL, NULL, NULL);
	struct fw_image img;
	char err[512];
	assert_int_equal(fw_image_open(&img, img_path, NULL, err, sizeof(err)), LF_OK);
	long sig = (long)(img.payload_off - FW_SIG_LEN);
	fw_image_close(&img);
	mutate("flip-sig", sig + 5, 0, p, sizeof(p));
	expect(p, FW_ESIG, NULL, NULL, NULL);
	assert_int_equal(fw_fault_code(FW_ESIG), 9019);
}

static void test_image_signed_by_another_key_is_refused(void **state)
{
	char err[512];
	assert_int_equal(fw_image_verify(img_path, other_key.pub, PC, "1.0", err, sizeof(err)), FW_ESIG);
}

static void test_unsigned_image_is_refused(void **state)
{
	struct lf_buf b;
	struct fw_image img;
	char err[512], p[256];
	assert_int_equal(fw_image_open(&img, img_path, NULL, err, sizeof(err)), LF_OK);
	size_t sig = (size_t)(img.payload_off - FW_SIG_LEN);
	fw_image_close(&img);
	read_all(img_path, &b);
	memset(b.data + sig, 0, FW_SIG_LEN);
	path_of(p, sizeof(p), "unsigned");
	assert_int_equal(lf_file_write_atomic(p, b.data, b.len), LF_OK);
	lf_buf_free(&b);
	expect(p, FW_EUNSIGNED, PC, "1.0", "unsigned");
	assert_int_equal(fw_fault_code(FW_EUNSIGNED), 9019);
	/* Inspect mode still reads it, and says so. */
	assert_int_equal(fw_image_open(&img, p, NULL, err, sizeof(err)), LF_OK);
	assert_true(img.is_unsigned);
	assert_false(img.verified);
	assert_int_equal(fw_image_extract(&img, tmp, err, sizeof(err)), LF_EINVAL);
	fw_image_close(&img);
}

static void test_truncated_anywhere_is_truncated(void **state)
{
	struct fw_image img;
	char err[512], p[256];
	assert_int_equal(fw_image_open(&img, img_path, NULL, err, sizeof(err)), LF_OK);
	long m = (long)img.manifest_len;
	long total = (long)img.file_size;
	long payload = (long)img.payload_off;
	fw_image_close(&img);
	long cuts[] = {0, 3, 8, 10, FW_HEADER_LEN, FW_HEADER_LEN + m / 2, FW_HEADER_LEN + m, payload - 1, payload,
		       payload + 10, payload + 70000, total - 1};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		mutate("truncated", cuts[i], 1, p, sizeof(p));
		expect(p, FW_ETRUNC, PC, "1.0", "truncated");
	}
	assert_int_equal(fw_fault_code(FW_ETRUNC), 9018);
}

static void test_bytes_after_the_payload_are_a_size_mismatch(void **state)
{
	struct lf_buf b;
	char p[256];
	read_all(img_path, &b);
	assert_int_equal(lf_buf_append(&b, "x", 1), LF_OK);
	path_of(p, sizeof(p), "padded");
	assert_int_equal(lf_file_write_atomic(p, b.data, b.len), LF_OK);
	lf_buf_free(&b);
	expect(p, FW_ESIZE, PC, "1.0", "after the payload");
	assert_int_equal(fw_fault_code(FW_ESIZE), 9018);
}

static void test_not_an_image_is_bad_magic(void **state)
{
	char p[256];
	path_of(p, sizeof(p), "not-an-image");
	assert_int_equal(lf_file_write_atomic(p, "PK\x03\x04 this is a zip", 19), LF_OK);
	expect(p, FW_EMAGIC, PC, "1.0", "LFIMG001");
	assert_int_equal(lf_file_write_atomic(p, "LFIMG0", 6), LF_OK);
	expect(p, FW_ETRUNC, PC, "1.0", NULL); /* a prefix of the magic: the start of an image, cut */
	assert_int_equal(lf_file_write_atomic(p, "LFX", 3), LF_OK);
	expect(p, FW_EMAGIC, PC, "1.0", NULL);
	assert_int_equal(fw_fault_code(FW_EMAGIC), 9018);
	path_of(p, sizeof(p), "does-not-exist");
	expect(p, LF_ENOTFOUND, PC, "1.0", NULL);
}

static void test_manifest_length_out_of_range_is_bad_manifest(void **state)
{
	char p[256];
	path_of(p, sizeof(p), "huge-length");
	assert_int_equal(lf_file_write_atomic(p, "LFIMG001\x00\x01\x00\x01", 12), LF_OK);
	expect(p, FW_EMANIFEST, NULL, NULL, "outside");
	assert_int_equal(lf_file_write_atomic(p, "LFIMG001\x00\x00\x00\x00", 12), LF_OK);
	expect(p, FW_EMANIFEST, NULL, NULL, NULL);
}

static void test_wrong_product_class_and_hardware_are_refused(void **state)
{
	expect(img_path, FW_EPRODUCT, "OtherHeNB", "1.0", "OtherHeNB");
	expect(img_path, FW_EHWVER, PC, "2.0", "1.0,1.1");
	expect(img_path, FW_EHWVER, PC, "1", NULL); /* a prefix is not a match */
	assert_int_equal(fw_fault_code(FW_EPRODUCT), 9010);
	assert_int_equal(fw_fault_code(FW_EHWVER), 9010);
}

static void test_signed_manifest_with_path_traversal_is_refused(void **state)
{
	char p[256];
	path_of(p, sizeof(p), "traversal");
	raw_image(p,
		  "format = 1\nproduct_class = " PC "\nhardware_versions = 1.0\nversion = 6.6.6\n"
		  "file = ../../etc/shadow 1 ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\n",
		  "a", 1, &key);
	expect(p, FW_EMANIFEST, PC, "1.0", "line 5");
	expect(p, FW_EMANIFEST, PC, "1.0", "traversal");
	assert_int_equal(fw_fault_code(FW_EMANIFEST), 9018);
	/* A correct hand-made image passes, so the refusal above is the path's. */
	raw_image(p,
		  "format = 1\nproduct_class = " PC "\nhardware_versions = 1.0\nversion = 6.6.6\n"
		  "file = etc/shadow 1 ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\n",
		  "a", 1, &key);
	expect(p, LF_OK, PC, "1.0", NULL);
}

struct bad_manifest {
	const char *text;
	const char *line; /* "line N" expected in the message */
	const char *why;  /* and this */
};

#define HEAD "format = 1\nproduct_class = P\nhardware_versions = 1.0\nversion = 1\n"
#define SHA "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"

static void test_manifest_errors_name_the_line(void **state)
{
	static const struct bad_manifest cases[] = {
		{"format = 2\n", "line 1:", "unsupported format"},
		{"version = 1\nformat = 1\n", "line 1:", "first key must be 'format'"},
		{"# c\n\nformat = 1\nformat = 1\n", "line 4:", "given twice"},
		{"format=1\n", "line 1:", "key = value"},
		{"format  = 1\n", "line 1:", "key = value"},
		{"format = 1 \n", "line 1:", "blank at the start or end"},
		{"format = 1\r\n", "line 1:", "0x0d"},
		{"format = 1\nproduct_class = a\tb\n", "line 2:", "0x09"},
		{"format = 1\nproduct_class = caf\xc3\xa9\n", "line 2:", "0xc3"},
		{"format = 1\ncolour = red\n", "line 2:", "unknown key 'colour'"},
		{"format = 1\nproduct_class = "
		 "12345678901234567890123456789012345678901234567890123456789012345\n",
		 "line 2:", "over the limit of 64"},
		{"format = 1\nhardware_versions = 1.0,,1.1\n", "line 2:", "empty entry"},
		{"format = 1\nhardware_versions = 1.0, 1.1\n", "line 2:", "without blanks"},
		{"format = 1\nhardware_versions = 1.0,\n", "line 2:", "empty entry"},
		{HEAD "file = ../x 1 " SHA "\n", "line 5:", "path traversal"},
		{HEAD "file = a/../../x 1 " SHA "\n", "line 5:", "path traversal"},
		{HEAD "file = /etc/passwd 1 " SHA "\n", "line 5:", "absolute"},
		{HEAD "file = a//b 1 " SHA "\n", "line 5:", "empty path component"},
		{HEAD "file = a/ 1 " SHA "\n", "line 5:", "empty path component"},
		{HEAD "file = ./a 1 " SHA "\n", "line 5:", "'.' path component"},
		{HEAD "file = a\\b 1 " SHA "\n", "line 5:", "backslash"},
		{HEAD "file = .manifest 1 " SHA "\n", "line 5:", "reserved"},
		{HEAD "file = .signature/x 1 " SHA "\n", "line 5:", "reserved"},
		{HEAD "file = a 1 " SHA "\nfile = a 1 " SHA "\n", "line 6:", "listed twice (first on line 5)"},
		{HEAD "file = a 1 " SHA "\nfile = a/b 1 " SHA "\n", "line 6:", "both a file and a directory"},
		{HEAD "file = a/b 1 " SHA "\nfile = a 1 " SHA "\n", "line 6:", "both a file and a directory"},
		{HEAD "file = a 01 " SHA "\n", "line 5:", "leading zeros"},
		{HEAD "file = a -1 " SHA "\n", "line 5:", "decimal number"},
		{HEAD "file = a 1x " SHA "\n", "line 5:", "decimal number"},
		{HEAD "file = a 268435457 " SHA "\n", "line 5:", "over the limit"},
		{HEAD "file = a 99999999999999999999 " SHA "\n", "line 5:", "over the limit"},
		{HEAD "file = a 1 CA978112CA1BBDCAFAC231B39A23DC4DA786EFF8147C4E72B9807785AFEE48BB\n", "line 5:",
		 "lowercase hex"},
		{HEAD "file = a 1 ca97\n", "line 5:", "64 lowercase hex"},
		{HEAD "file = a 1 " SHA " 4755\n", "line 5:", "0644 or 0755"},
		{HEAD "file = a 1\n", "line 5:", "got 2 fields"},
		{HEAD "file = a  1 " SHA "\n", "line 5:", "exactly one blank"},
		{HEAD "file = a 1 " SHA " 0644 x\n", "line 5:", "got 5 fields"},
		{HEAD "file = a 1 " SHA " 0644 x y\n", "line 5:", "more fields"},
		{HEAD, "line 5:", "no 'file' line"},
		{"format = 1\nproduct_class = P\nhardware_versions = 1.0\n", "line 4:", "'version' is missing"},
		{"", "line 1:", "'format' is missing"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fw_manifest m;
		char err[512] = "";
		int rc = fw_manifest_parse(cases[i].text, strlen(cases[i].text), &m, err, sizeof(err));
		fw_manifest_free(&m);
		if (rc != FW_EMANIFEST || !strstr(err, cases[i].line) || !strstr(err, cases[i].why))
			fail_msg("case %zu: rc=%d err='%s', want '%s' and '%s'", i, rc, err, cases[i].line,
				 cases[i].why);
	}
}

static void test_manifest_nul_byte_and_limits(void **state)
{
	struct fw_manifest m;
	char err[512];
	static const char nul[] = "format = 1\nversion = a\0b\n";
	assert_int_equal(fw_manifest_parse(nul, sizeof(nul) - 1, &m, err, sizeof(err)), FW_EMANIFEST);
	assert_non_null(strstr(err, "line 2: byte 0x00"));
	fw_manifest_free(&m);

	struct lf_buf b;
	lf_buf_init(&b, 1 << 20);
	lf_buf_puts(&b, HEAD);
	for (int i = 0; i < FW_FILES_MAX + 1; i++)
		lf_buf_printf(&b, "file = f%d 1 " SHA "\n", i);
	assert_true(b.len <= FW_MANIFEST_MAX);
	assert_int_equal(fw_manifest_parse(b.data, b.len, &m, err, sizeof(err)), FW_EMANIFEST);
	assert_non_null(strstr(err, "line 261: more than 256 files"));
	fw_manifest_free(&m);

	lf_buf_reset(&b);
	lf_buf_puts(&b, HEAD);
	while (b.len <= FW_MANIFEST_MAX)
		lf_buf_puts(&b, "# padding padding padding padding padding padding padding padding\n");
	assert_int_equal(fw_manifest_parse(b.data, b.len, &m, err, sizeof(err)), FW_EMANIFEST);
	assert_non_null(strstr(err, "over the limit"));
	fw_manifest_free(&m);

	char longpath[300];
	memset(longpath, 'p', sizeof(longpath));
	longpath[256] = '\0';
	lf_buf_reset(&b);
	lf_buf_printf(&b, HEAD "file = %s 1 " SHA "\n", longpath);
	assert_int_equal(fw_manifest_parse(b.data, b.len, &m, err, sizeof(err)), FW_EMANIFEST);
	assert_non_null(strstr(err, "longer than 255"));
	fw_manifest_free(&m);
	lf_buf_free(&b);
}

static void test_manifest_round_trips_through_the_formatter(void **state)
{
	static const char text[] = "# made by hand\n\nformat = 1\nproduct_class = Lifeline HeNB\n"
				   "hardware_versions = 1.0,1.1,rev-C\nversion = 2.0 beta\n"
				   "file = bin/henbd 10 " SHA " 0755\nfile = etc/x 0 " SHA; /* no final newline */
	struct fw_manifest m, m2;
	struct lf_buf b;
	char err[512];
	assert_int_equal(fw_manifest_parse(text, sizeof(text) - 1, &m, err, sizeof(err)), LF_OK);
	assert_string_equal(m.product_class, "Lifeline HeNB");
	assert_int_equal(m.nhw, 3);
	assert_true(fw_manifest_allows_hw(&m, "rev-C"));
	assert_false(fw_manifest_allows_hw(&m, "1.2"));
	assert_int_equal(m.nfiles, 2);
	assert_int_equal(m.files[1].mode, 0644);
	assert_int_equal(m.payload_size, 10);
	lf_buf_init(&b, FW_MANIFEST_MAX);
	assert_int_equal(fw_manifest_format(&m, &b), LF_OK);
	assert_int_equal(fw_manifest_parse(b.data, b.len, &m2, err, sizeof(err)), LF_OK);
	assert_string_equal(m2.version, "2.0 beta");
	assert_string_equal(m2.files[0].path, "bin/henbd");
	assert_int_equal(m2.files[0].mode, 0755);
	assert_memory_equal(m2.files[0].sha256, m.files[0].sha256, FW_SHA256_LEN);
	fw_manifest_free(&m);
	fw_manifest_free(&m2);
	lf_buf_free(&b);
}

static void test_install_extracts_files_with_modes_and_keeps_manifest(void **state)
{
	char err[512], slot[256], p[512];
	struct fw_image img;
	struct stat st;
	path_of(slot, sizeof(slot), "slots/A");
	path_of(p, sizeof(p), "slots");
	mkdir(p, 0755);
	assert_int_equal(fw_image_open(&img, img_path, key.pub, err, sizeof(err)), LF_OK);
	assert_int_equal(fw_slot_install(&img, slot, 0, err, sizeof(err)), LF_OK);
	fw_image_close(&img);
	assert_int_equal(fw_slot_verify(slot, key.pub, NULL, err, sizeof(err)), LF_OK);
	snprintf(p, sizeof(p), "%s/bin/henbd", slot);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	snprintf(p, sizeof(p), "%s/.signature", slot);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, FW_SIG_LEN);
	assert_int_equal(fw_slot_verify(slot, other_key.pub, NULL, err, sizeof(err)), FW_ESIG);
}

static void test_install_is_all_or_nothing(void **state)
{
	char err[512], slot[256], p[512], bad[256], src2[256];
	struct fw_image img;
	struct fw_manifest m;
	path_of(p, sizeof(p), "slots");
	mkdir(p, 0755);
	path_of(slot, sizeof(slot), "slots/B");
	assert_int_equal(fw_image_open(&img, img_path, key.pub, err, sizeof(err)), LF_OK);
	assert_int_equal(fw_slot_install(&img, slot, 0, err, sizeof(err)), LF_OK);
	fw_image_close(&img);

	/* Version 3 differs in every file; its last file is corrupted in the image. */
	snprintf(src2, sizeof(src2), "%s/src3", tmp);
	write_file(src2, "bin/henbd", "#!/bin/sh\nexit 3\n", 17, 0755);
	write_file(src2, "etc/henbd.conf", "v3", 2, 0644);
	write_file(src2, "zz/last", "the last file", 13, 0644);
	path_of(bad, sizeof(bad), "v3.lfi");
	build(src2, "3.0", "1.0", bad);
	struct lf_buf b;
	read_all(bad, &b);
	b.data[b.len - 1] ^= 0x20;
	assert_int_equal(lf_file_write_atomic(bad, b.data, b.len), LF_OK);
	lf_buf_free(&b);

	assert_int_equal(fw_image_open(&img, bad, key.pub, err, sizeof(err)), LF_OK); /* header is fine */
	assert_int_equal(fw_slot_install(&img, slot, 0, err, sizeof(err)), FW_EHASH);
	assert_non_null(strstr(err, "zz/last"));
	fw_image_close(&img);
	/* The slot is the old image, whole; nothing of the new one is left beside it. */
	assert_int_equal(fw_slot_verify(slot, key.pub, &m, err, sizeof(err)), LF_OK);
	assert_string_equal(m.version, "2.0.1");
	fw_manifest_free(&m);
	snprintf(p, sizeof(p), "%s.new", slot);
	assert_int_not_equal(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s.old", slot);
	assert_int_not_equal(access(p, F_OK), 0);
	snprintf(p, sizeof(p), "%s/zz", slot);
	assert_int_not_equal(access(p, F_OK), 0);
}

static void test_installed_slot_tampering_is_detected(void **state)
{
	char err[512], slot[256], p[512], p2[512];
	struct fw_image img;
	path_of(p, sizeof(p), "slots");
	mkdir(p, 0755);
	path_of(slot, sizeof(slot), "slots/T");
	struct {
		const char *what;
		int want;
	} cases[] = {{"modify", FW_EHASH},   {"truncate", FW_ESIZE},	   {"delete", FW_EMISSING},
		     {"extra", FW_EEXTRA},   {"symlink", FW_EEXTRA},	   {"manifest", FW_ESIG},
		     {"nosig", FW_EUNSIGNED}, {"swap-link", FW_EEXTRA}, {"noslot", FW_EMISSING}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fw__tree_remove(slot);
		assert_int_equal(fw_image_open(&img, img_path, key.pub, err, sizeof(err)), LF_OK);
		assert_int_equal(fw_slot_install(&img, slot, 0, err, sizeof(err)), LF_OK);
		fw_image_close(&img);
		const char *w = cases[i].what;
		snprintf(p, sizeof(p), "%s/etc/henbd.conf", slot);
		if (strcmp(w, "modify") == 0) {
			assert_int_equal(lf_file_write_atomic(p, "[acs]\nurl = http://evil\n", 24), LF_OK);
		} else if (strcmp(w, "truncate") == 0) {
			assert_int_equal(truncate(p, 3), 0);
		} else if (strcmp(w, "delete") == 0) {
			assert_int_equal(unlink(p), 0);
		} else if (strcmp(w, "extra") == 0) {
			write_file(slot, "bin/backdoor", "x", 1, 0755);
		} else if (strcmp(w, "symlink") == 0) {
			snprintf(p2, sizeof(p2), "%s/bin/sh", slot);
			assert_int_equal(symlink("/bin/sh", p2), 0);
		} else if (strcmp(w, "manifest") == 0) {
			snprintf(p2, sizeof(p2), "%s/.manifest", slot);
			struct lf_buf b;
			read_all(p2, &b);
			b.data[15] ^= 1;
			assert_int_equal(lf_file_write_atomic(p2, b.data, b.len), LF_OK);
			lf_buf_free(&b);
		} else if (strcmp(w, "nosig") == 0) {
			snprintf(p2, sizeof(p2), "%s/.signature", slot);
			assert_int_equal(unlink(p2), 0);
		} else if (strcmp(w, "swap-link") == 0) {
			/* the listed file replaced by a link to a copy elsewhere with the right content */
			snprintf(p2, sizeof(p2), "%s/copy.conf", tmp);
			assert_int_equal(rename(p, p2), 0);
			assert_int_equal(symlink(p2, p), 0);
		} else {
			fw__tree_remove(slot);
		}
		int rc = fw_slot_verify(slot, key.pub, NULL, err, sizeof(err));
		if (rc != cases[i].want)
			fail_msg("%s: got %d (%s), want %d", w, rc, err, cases[i].want);
	}
	fw__tree_remove(slot);
}

static void test_recover_rolls_back_or_cleans_interrupted_installs(void **state)
{
	char err[512], slot[256], p[512], note[512];
	struct fw_image img;
	path_of(p, sizeof(p), "slots");
	mkdir(p, 0755);
	path_of(slot, sizeof(slot), "slots/R");
	assert_int_equal(fw_image_open(&img, img_path, key.pub, err, sizeof(err)), LF_OK);
	assert_int_equal(fw_slot_install(&img, slot, 0, err, sizeof(err)), LF_OK);
	fw_image_close(&img);

	/* Cut during extraction: a partial .new next to the slot. */
	write_file(tmp, "slots/R.new/bin/half", "x", 1, 0644);
	assert_int_equal(fw_slot_recover(slot, note, sizeof(note)), LF_OK);
	assert_non_null(strstr(note, ".new"));
	snprintf(p, sizeof(p), "%s.new", slot);
	assert_int_not_equal(access(p, F_OK), 0);
	assert_int_equal(fw_slot_verify(slot, key.pub, NULL, err, sizeof(err)), LF_OK);

	/* Cut between the renames: the slot is gone, .old and .new exist: roll back. */
	snprintf(p, sizeof(p), "%s.old", slot);
	assert_int_equal(rename(slot, p), 0);
	write_file(tmp, "slots/R.new/complete", "x", 1, 0644);
	assert_int_equal(fw_slot_recover(slot, note, sizeof(note)), LF_OK);
	assert_non_null(strstr(note, "rolled back"));
	assert_int_equal(fw_slot_verify(slot, key.pub, NULL, err, sizeof(err)), LF_OK);
	assert_int_not_equal(access(p, F_OK), 0);

	/* Cut after the second rename: a leftover .old (write-protected, like a failsafe) goes. */
	write_file(tmp, "slots/R.old/bin/old", "x", 1, 0644);
	assert_int_equal(fw__tree_readonly(p), LF_OK);
	assert_int_equal(fw_slot_recover(slot, note, sizeof(note)), LF_OK);
	assert_int_not_equal(access(p, F_OK), 0);
	assert_int_equal(fw_slot_recover(slot, note, sizeof(note)), LF_OK);
	assert_string_equal(note, "");
}

static void test_readonly_install_write_protects_the_tree(void **state)
{
	char err[512], slot[256], p[512];
	struct fw_image img;
	struct stat st;
	path_of(p, sizeof(p), "slots");
	mkdir(p, 0755);
	path_of(slot, sizeof(slot), "slots/failsafe");
	assert_int_equal(fw_image_open(&img, img_path, key.pub, err, sizeof(err)), LF_OK);
	assert_int_equal(fw_slot_install(&img, slot, 1, err, sizeof(err)), LF_OK);
	/* A second provisioning replaces the write-protected tree. */
	assert_int_equal(fw_slot_install(&img, slot, 1, err, sizeof(err)), LF_OK);
	fw_image_close(&img);
	assert_int_equal(stat(slot, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0555);
	snprintf(p, sizeof(p), "%s/bin/henbd", slot);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0555);
	snprintf(p, sizeof(p), "%s/etc/henbd.conf", slot);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0444);
	assert_int_equal(fw_slot_verify(slot, key.pub, NULL, err, sizeof(err)), LF_OK);
	assert_int_equal(fw__tree_remove(slot), LF_OK);
}

static void test_builder_refuses_what_an_image_cannot_hold(void **state)
{
	char dir[256], out[256], err[512];
	struct fw_build b = {.src_dir = dir, .product_class = PC, .hw_versions = "1.0", .version = "1",
			     .out_path = out};
	path_of(out, sizeof(out), "refused.lfi");

	snprintf(dir, sizeof(dir), "%s/src-link", tmp);
	write_file(dir, "bin/henbd", "x", 1, 0755);
	char link[512];
	snprintf(link, sizeof(link), "%s/bin/sh", dir);
	assert_int_equal(symlink("/bin/sh", link), 0);
	assert_int_equal(fw_image_build(&b, &key, err, sizeof(err)), LF_EINVAL);
	assert_non_null(strstr(err, "symbolic link"));

	snprintf(dir, sizeof(dir), "%s/src-reserved", tmp);
	write_file(dir, ".manifest", "x", 1, 0644);
	assert_int_equal(fw_image_build(&b, &key, err, sizeof(err)), LF_EINVAL);
	assert_non_null(strstr(err, "reserved"));

	snprintf(dir, sizeof(dir), "%s/src-blank", tmp);
	write_file(dir, "my file", "x", 1, 0644);
	assert_int_equal(fw_image_build(&b, &key, err, sizeof(err)), LF_EINVAL);

	snprintf(dir, sizeof(dir), "%s/src-ok", tmp);
	write_file(dir, "a", "x", 1, 0644);
	b.product_class = "evil\nfile = x 1 " SHA;
	assert_int_equal(fw_image_build(&b, &key, err, sizeof(err)), LF_EINVAL);
	b.product_class = PC;
	b.hw_versions = "1.0,,2.0";
	assert_int_equal(fw_image_build(&b, &key, err, sizeof(err)), FW_EMANIFEST);
	assert_non_null(strstr(err, "empty entry"));
	b.hw_versions = "1.0";
	struct fw_key pub_only = key;
	pub_only.has_priv = 0;
	assert_int_equal(fw_image_build(&b, &pub_only, err, sizeof(err)), LF_EINVAL);
	snprintf(dir, sizeof(dir), "%s/no-such-dir", tmp);
	assert_int_not_equal(fw_image_build(&b, &key, err, sizeof(err)), LF_OK);
	assert_int_not_equal(access(out, F_OK), 0);
}

static void test_key_files_round_trip_and_refuse_mixups(void **state)
{
	char priv[256], pub[256], err[512];
	struct fw_key k;
	uint8_t p[FW_KEY_LEN];
	struct stat st;
	path_of(priv, sizeof(priv), "k.priv");
	path_of(pub, sizeof(pub), "k.pub");
	assert_int_equal(fw_key_save(&key, priv, pub, err, sizeof(err)), LF_OK);
	assert_int_equal(stat(priv, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(pub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(fw_key_load_private(&k, priv, err, sizeof(err)), LF_OK);
	assert_memory_equal(k.pub, key.pub, FW_KEY_LEN);
	assert_memory_equal(k.priv, key.priv, FW_KEY_LEN);
	assert_int_equal(fw_key_load_public(p, pub, err, sizeof(err)), LF_OK);
	assert_memory_equal(p, key.pub, FW_KEY_LEN);
	assert_int_equal(fw_key_save(&other_key, priv, pub, err, sizeof(err)), LF_EEXIST);
	assert_int_equal(fw_key_load_public(p, priv, err, sizeof(err)), FW_EKEY);
	assert_non_null(strstr(err, "other half"));
	assert_int_equal(fw_key_load_private(&k, pub, err, sizeof(err)), FW_EKEY);
	assert_int_equal(lf_file_write_atomic(pub, "# lifeline-ed25519-public-key\nabcd\n", 35), LF_OK);
	assert_int_equal(fw_key_load_public(p, pub, err, sizeof(err)), FW_EKEY);
	assert_non_null(strstr(err, ":2:"));
	assert_int_equal(lf_file_write_atomic(pub, "ssh-ed25519 AAAA\n", 17), LF_OK);
	assert_int_equal(fw_key_load_public(p, pub, err, sizeof(err)), FW_EKEY);
	path_of(pub, sizeof(pub), "missing.pub");
	assert_int_equal(fw_key_load_public(p, pub, err, sizeof(err)), LF_ENOTFOUND);
	fw_key_wipe(&k);
}

static void test_fault_codes_cover_every_refusal(void **state)
{
	assert_int_equal(fw_fault_code(LF_OK), 0);
	int corrupted[] = {FW_EMAGIC, FW_ETRUNC, FW_EHASH, FW_ESIZE, FW_EMANIFEST, FW_EMISSING, FW_EEXTRA};
	for (size_t i = 0; i < sizeof(corrupted) / sizeof(corrupted[0]); i++)
		assert_int_equal(fw_fault_code(corrupted[i]), FW_FAULT_CORRUPTED);
	assert_int_equal(fw_fault_code(FW_EUNSIGNED), FW_FAULT_AUTHENTICATION);
	assert_int_equal(fw_fault_code(LF_EIO), FW_FAULT_INTERNAL);
	assert_int_equal(fw_fault_code(LF_EBUSY), FW_FAULT_INTERNAL);
	for (int e = FW_EKEY; e <= FW_EMAGIC; e++)
		assert_string_not_equal(fw_strerror(e), "unknown error");
	assert_string_equal(fw_strerror(LF_EIO), "I/O error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_built_image_verifies_and_lists_files_sorted),
		cmocka_unit_test(test_flipped_payload_byte_is_hash_mismatch),
		cmocka_unit_test(test_flipped_header_or_signature_byte_is_bad_signature),
		cmocka_unit_test(test_image_signed_by_another_key_is_refused),
		cmocka_unit_test(test_unsigned_image_is_refused),
		cmocka_unit_test(test_truncated_anywhere_is_truncated),
		cmocka_unit_test(test_bytes_after_the_payload_are_a_size_mismatch),
		cmocka_unit_test(test_not_an_image_is_bad_magic),
		cmocka_unit_test(test_manifest_length_out_of_range_is_bad_manifest),
		cmocka_unit_test(test_wrong_product_class_and_hardware_are_refused),
		cmocka_unit_test(test_signed_manifest_with_path_traversal_is_refused),
		cmocka_unit_test(test_manifest_errors_name_the_line),
		cmocka_unit_test(test_manifest_nul_byte_and_limits),
		cmocka_unit_test(test_manifest_round_trips_through_the_formatter),
		cmocka_unit_test(test_install_extracts_files_with_modes_and_keeps_manifest),
		cmocka_unit_test(test_install_is_all_or_nothing),
		cmocka_unit_test(test_installed_slot_tampering_is_detected),
		cmocka_unit_test(test_recover_rolls_back_or_cleans_interrupted_installs),
		cmocka_unit_test(test_readonly_install_write_protects_the_tree),
		cmocka_unit_test(test_builder_refuses_what_an_image_cannot_hold),
		cmocka_unit_test(test_key_files_round_trip_and_refuse_mixups),
		cmocka_unit_test(test_fault_codes_cover_every_refusal),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
