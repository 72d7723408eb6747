/* image.c: firmware image files: header and signature checks, streaming payload verification, the builder. */
#include "firmware/image.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "firmware/tree.h"

#define FW__CHUNK 65536

/* Read up to n bytes, retrying short reads; the count read (less than n only at end of file), -1 on error. */
static ssize_t fw__read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int fw__write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return LF_EIO;
		}
		c += w;
		n -= (size_t)w;
	}
	return LF_OK;
}

static void fw__be32(uint8_t out[4], uint32_t v)
{
	out[0] = (uint8_t)(v >> 24);
	out[1] = (uint8_t)(v >> 16);
	out[2] = (uint8_t)(v >> 8);
	out[3] = (uint8_t)v;
}

int fw_image_signed_message(const char *manifest, uint32_t manifest_len, struct lf_buf *out)
{
	uint8_t len[4];
	fw__be32(len, manifest_len);
	int result = lf_buf_append(out, FW_MAGIC, FW_MAGIC_LEN);
	if (!result)
		result = lf_buf_append(out, len, sizeof(len));
	if (!result)
		result = lf_buf_append(out, manifest, manifest_len);
	return result;
}

/* Read exactly n header bytes; FW_ETRUNC naming `what` when the file ends first. */
static int fw__read_part(struct fw_image *img, void *buf, size_t n, const char *what, char *err, size_t errlen)
{
	ssize_t got = fw__read_full(img->fd, buf, n);
	if (got < 0) {
		snprintf(err, errlen, "cannot read the image: %s", strerror(errno));
		return LF_EIO;
	}
	if ((size_t)got < n) {
		snprintf(err, errlen, "image truncated: it ends inside the %s (%llu bytes in all)", what,
			 (unsigned long long)img->file_size);
		return FW_ETRUNC;
	}
	return LF_OK;
}

int fw_image_open(struct fw_image *img, const char *path, const uint8_t *pub, char *err, size_t errlen)
{
	uint8_t head[FW_HEADER_LEN];
	struct lf_buf msg;
	struct stat st;
	int result;

	memset(img, 0, sizeof(*img));
	img->fd = -1;
	lf_buf_init(&msg, FW_HEADER_LEN + FW_MANIFEST_MAX);
	img->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (img->fd < 0) {
		result = errno == ENOENT ? LF_ENOTFOUND : LF_EIO;
		snprintf(err, errlen, "cannot open image %s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(img->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		result = LF_EIO;
		snprintf(err, errlen, "image %s is not a regular file", path);
		goto out;
	}
	img->file_size = (uint64_t)st.st_size;

	ssize_t got = fw__read_full(img->fd, head, FW_MAGIC_LEN);
	if (got < 0) {
		result = LF_EIO;
		snprintf(err, errlen, "cannot read image %s: %s", path, strerror(errno));
		goto out;
	}
	if (memcmp(head, FW_MAGIC, (size_t)got) != 0) {
		result = FW_EMAGIC;
		snprintf(err, errlen, "not a Lifeline firmware image: it does not start with \"%s\"", FW_MAGIC);
		goto out;
	}
	if (got < FW_MAGIC_LEN) {
		result = FW_ETRUNC;
		snprintf(err, errlen, "image truncated: %zd bytes, shorter than the magic", got);
		goto out;
	}
	result = fw__read_part(img, head + FW_MAGIC_LEN, 4, "manifest length", err, errlen);
	if (result)
		goto out;
	img->manifest_len = (uint32_t)head[8] << 24 | (uint32_t)head[9] << 16 | (uint32_t)head[10] << 8 | head[11];
	if (img->manifest_len == 0 || img->manifest_len > FW_MANIFEST_MAX) {
		result = FW_EMANIFEST;
		snprintf(err, errlen, "manifest length %u is outside 1..%d", (unsigned)img->manifest_len,
			 FW_MANIFEST_MAX);
		goto out;
	}
	img->manifest_text = lf_malloc((size_t)img->manifest_len + 1);
	result = fw__read_part(img, img->manifest_text, img->manifest_len, "manifest", err, errlen);
	if (result)
		goto out;
	img->manifest_text[img->manifest_len] = '\0';
	result = fw__read_part(img, img->sig, FW_SIG_LEN, "signature", err, errlen);
	if (result)
		goto out;
	img->payload_off = FW_HEADER_LEN + (uint64_t)img->manifest_len + FW_SIG_LEN;

	img->is_unsigned = 1;
	for (size_t i = 0; i < FW_SIG_LEN; i++)
		if (img->sig[i])
			img->is_unsigned = 0;
	if (pub) {
		/* The signature first: the manifest parser then only ever sees text the key holder wrote. */
		if (img->is_unsigned) {
			result = FW_EUNSIGNED;
			snprintf(err, errlen, "image is unsigned (all-zero signature); only signed images are accepted");
			goto out;
		}
		result = fw_image_signed_message(img->manifest_text, img->manifest_len, &msg);
		if (result)
			goto out;
		if (!fw_key_verify(pub, msg.data, msg.len, img->sig)) {
			result = FW_ESIG;
			snprintf(err, errlen, "signature does not verify with the trusted key: the header or manifest "
					      "was altered, or another key signed it");
			goto out;
		}
		img->verified = 1;
	}
	result = fw_manifest_parse(img->manifest_text, img->manifest_len, &img->manifest, err, errlen);
	if (result || !pub)
		goto out;
	/* The signed manifest says how long the payload is: refuse a short or padded file before reading it. */
	uint64_t want = img->payload_off + img->manifest.payload_size;
	if (img->file_size < want) {
		result = FW_ETRUNC;
		snprintf(err, errlen, "image truncated: %llu bytes, the manifest needs %llu",
			 (unsigned long long)img->file_size, (unsigned long long)want);
	} else if (img->file_size > want) {
		result = FW_ESIZE;
		snprintf(err, errlen, "image has %llu bytes after the payload the manifest describes",
			 (unsigned long long)(img->file_size - want));
	}
out:
	lf_buf_free(&msg);
	if (result)
		img->verified = 0;
	return result;
}

int fw_image_check_target(const struct fw_image *img, const char *product_class, const char *hw_version,
			  char *err, size_t errlen)
{
	const struct fw_manifest *m = &img->manifest;
	if (product_class && strcmp(m->product_class, product_class) != 0) {
		snprintf(err, errlen, "image is for product class '%s', this device is '%s'", m->product_class,
			 product_class);
		return FW_EPRODUCT;
	}
	if (hw_version && !fw_manifest_allows_hw(m, hw_version)) {
		struct lf_buf list;
		lf_buf_init(&list, 512);
		for (size_t i = 0; i < m->nhw; i++)
			lf_buf_printf(&list, "%s%s", i ? "," : "", m->hw[i]);
		snprintf(err, errlen, "image allows hardware versions %s; this device is '%s'",
			 list.data ? list.data : "", hw_version);
		lf_buf_free(&list);
		return FW_EHWVER;
	}
	return LF_OK;
}

/* Stream the payload from its start; with dir, also write each file below it. */
static int fw__payload(struct fw_image *img, const char *dir, char *err, size_t errlen)
{
	char *buf = lf_malloc(FW__CHUNK);
	char path[PATH_MAX];
	int out_fd = -1;
	int result = LF_OK;

	if (lseek(img->fd, (off_t)img->payload_off, SEEK_SET) < 0) {
		result = LF_EIO;
		snprintf(err, errlen, "cannot seek in the image: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < img->manifest.nfiles; i++) {
		const struct fw_file *f = &img->manifest.files[i];
		struct sha256_ctx sha;
		uint8_t digest[FW_SHA256_LEN];
		if (dir) {
			result = fw__join(path, sizeof(path), dir, f->path);
			if (result) {
				snprintf(err, errlen, "path too long below %s", dir);
				goto out;
			}
			result = fw__mkdirs(dir, f->path);
			if (!result) {
				out_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
				if (out_fd < 0)
					result = LF_EIO;
			}
			if (result) {
				snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
				goto out;
			}
		}
		sha256_init(&sha);
		uint64_t left = f->size;
		while (left) {
			size_t want = left < FW__CHUNK ? (size_t)left : FW__CHUNK;
			ssize_t got = fw__read_full(img->fd, buf, want);
			if (got < 0) {
				result = LF_EIO;
				snprintf(err, errlen, "cannot read the image: %s", strerror(errno));
				goto out;
			}
			if ((size_t)got < want) {
				result = FW_ETRUNC;
				snprintf(err, errlen, "image truncated inside file %s (%llu of %llu bytes)", f->path,
					 (unsigned long long)(f->size - left + (uint64_t)got),
					 (unsigned long long)f->size);
				goto out;
			}
			sha256_update(&sha, want, (const uint8_t *)buf);
			if (out_fd >= 0 && fw__write_all(out_fd, buf, want)) {
				result = LF_EIO;
				snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
				goto out;
			}
			left -= want;
		}
		sha256_digest(&sha, sizeof(digest), digest);
		if (memcmp(digest, f->sha256, sizeof(digest)) != 0) {
			char want_hex[2 * FW_SHA256_LEN + 1];
			char got_hex[2 * FW_SHA256_LEN + 1];
			fw_hex_encode(want_hex, f->sha256, sizeof(f->sha256));
			fw_hex_encode(got_hex, digest, sizeof(digest));
			result = FW_EHASH;
			snprintf(err, errlen, "file %s: SHA-256 %.16s... differs from the manifest's %.16s...", f->path,
				 got_hex, want_hex);
			goto out;
		}
		if (out_fd >= 0) {
			if (fchmod(out_fd, f->mode) != 0 || fsync(out_fd) != 0) {
				result = LF_EIO;
				snprintf(err, errlen, "cannot sync %s: %s", path, strerror(errno));
				goto out;
			}
			close(out_fd);
			out_fd = -1;
		}
	}
	ssize_t extra = fw__read_full(img->fd, buf, 1);
	if (extra != 0) {
		result = extra < 0 ? LF_EIO : FW_ESIZE;
		snprintf(err, errlen, "image has bytes after the payload the manifest describes");
	}
out:
	if (out_fd >= 0)
		close(out_fd);
	lf_free(buf);
	return result;
}

int fw_image_verify_payload(struct fw_image *img, char *err, size_t errlen)
{
	return fw__payload(img, NULL, err, errlen);
}

int fw_image_extract(struct fw_image *img, const char *dir, char *err, size_t errlen)
{
	if (!img->verified) {
		snprintf(err, errlen, "refusing to extract an image whose signature was not checked");
		return LF_EINVAL;
	}
	return fw__payload(img, dir, err, errlen);
}

void fw_image_close(struct fw_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
	lf_free_ptr(&img->manifest_text);
	fw_manifest_free(&img->manifest);
	img->verified = 0;
}

int fw_image_verify(const char *path, const uint8_t pub[FW_KEY_LEN], const char *product_class,
		    const char *hw_version, char *err, size_t errlen)
{
	struct fw_image img;
	int result = fw_image_open(&img, path, pub, err, errlen);
	if (!result)
		result = fw_image_check_target(&img, product_class, hw_version, err, errlen);
	if (!result)
		result = fw_image_verify_payload(&img, err, errlen);
	fw_image_close(&img);
	return result;
}

/* ------------------------------------------------------------------------------------------------ builder */

struct fw__list {
	char *paths[FW_FILES_MAX];
	size_t n;
	const char *src;
	char *err;
	size_t errlen;
};

static int fw__collect(const char *rel, const struct stat *st, void *ctx)
{
	struct fw__list *l = ctx;
	if (S_ISDIR(st->st_mode))
		return LF_OK;
	if (!S_ISREG(st->st_mode)) {
		snprintf(l->err, l->errlen, "%s/%s: %s; images hold regular files only", l->src, rel,
			 S_ISLNK(st->st_mode) ? "is a symbolic link" : "is a special file");
		return LF_EINVAL;
	}
	const char *why = fw_manifest_check_path(rel, strlen(rel));
	if (why) {
		snprintf(l->err, l->errlen, "%s/%s: cannot be part of an image: %s", l->src, rel, why);
		return LF_EINVAL;
	}
	if ((uint64_t)st->st_size > FW_FILE_SIZE_MAX) {
		snprintf(l->err, l->errlen, "%s/%s: %lld bytes, over the limit of %llu per file", l->src, rel,
			 (long long)st->st_size, (unsigned long long)FW_FILE_SIZE_MAX);
		return LF_ETOOBIG;
	}
	if (l->n == FW_FILES_MAX) {
		snprintf(l->err, l->errlen, "%s: more than %d files", l->src, FW_FILES_MAX);
		return LF_ETOOBIG;
	}
	l->paths[l->n++] = lf_strdup(rel);
	return LF_OK;
}

static int fw__cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hash one source file; with out_fd >= 0 also copy it there. size is what the file must hold. */
static int fw__hash_file(const char *path, uint64_t *size, unsigned *mode, uint8_t digest[FW_SHA256_LEN],
			 int out_fd, char *buf, char *err, size_t errlen)
{
	struct sha256_ctx sha;
	struct stat st;
	uint64_t total = 0;
	int result = LF_OK;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		result = LF_EIO;
		goto out;
	}
	*mode = (st.st_mode & 0111) ? 0755 : 0644;
	sha256_init(&sha);
	for (;;) {
		ssize_t got = fw__read_full(fd, buf, FW__CHUNK);
		if (got < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			result = LF_EIO;
			goto out;
		}
		if (got == 0)
			break;
		total += (uint64_t)got;
		if (total > FW_FILE_SIZE_MAX) {
			snprintf(err, errlen, "%s grew over the limit of %llu bytes", path,
				 (unsigned long long)FW_FILE_SIZE_MAX);
			result = LF_ETOOBIG;
			goto out;
		}
		sha256_update(&sha, (size_t)got, (const uint8_t *)buf);
		if (out_fd >= 0 && fw__write_all(out_fd, buf, (size_t)got)) {
			snprintf(err, errlen, "cannot write the image: %s", strerror(errno));
			result = LF_EIO;
			goto out;
		}
	}
	sha256_digest(&sha, FW_SHA256_LEN, digest);
	*size = total;
out:
	if (fd >= 0)
		close(fd);
	return result;
}

static int fw__check_option(const char *name, const char *v, char *err, size_t errlen)
{
	if (!v || !*v) {
		snprintf(err, errlen, "%s is required", name);
		return LF_EINVAL;
	}
	for (const char *c = v; *c; c++) {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e) {
			snprintf(err, errlen, "%s holds a control or non-ASCII character", name);
			return LF_EINVAL;
		}
	}
	return LF_OK;
}

int fw_image_build(const struct fw_build *b, const struct fw_key *key, char *err, size_t errlen)
{
	struct fw__list list = {.n = 0, .src = b->src_dir, .err = err, .errlen = errlen};
	struct lf_buf text;
	struct lf_buf msg;
	struct fw_manifest check;
	char toolong[FW_PATH_MAX + 2] = "";
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	char hex[2 * FW_SHA256_LEN + 1];
	uint8_t sig[FW_SIG_LEN];
	char *buf = lf_malloc(FW__CHUNK);
	int fd = -1;
	int result;

	memset(&check, 0, sizeof(check));
	lf_buf_init(&text, FW_MANIFEST_MAX);
	lf_buf_init(&msg, FW_HEADER_LEN + FW_MANIFEST_MAX);
	tmp[0] = '\0';
	if (!key->has_priv) {
		snprintf(err, errlen, "a private key is needed to sign");
		result = LF_EINVAL;
		goto out;
	}
	result = fw__check_option("product class", b->product_class, err, errlen);
	if (!result)
		result = fw__check_option("hardware versions", b->hw_versions, err, errlen);
	if (!result)
		result = fw__check_option("version", b->version, err, errlen);
	if (result)
		goto out;
	result = fw__tree_walk(b->src_dir, fw__collect, &list, toolong);
	if (result == LF_ETOOBIG && toolong[0])
		snprintf(err, errlen, "%s/%s...: path longer than %d bytes", b->src_dir, toolong, FW_PATH_MAX);
	else if (result == LF_ENOTFOUND || result == LF_EIO)
		snprintf(err, errlen, "cannot read directory %s", b->src_dir);
	if (result)
		goto out;
	qsort(list.paths, list.n, sizeof(list.paths[0]), fw__cmp_path);

	result = lf_buf_printf(&text, "format = %d\nproduct_class = %s\nhardware_versions = %s\nversion = %s\n",
			       FW_FORMAT, b->product_class, b->hw_versions, b->version);
	for (size_t i = 0; !result && i < list.n; i++) {
		uint64_t size = 0;
		unsigned mode = 0644;
		uint8_t digest[FW_SHA256_LEN];
		result = fw__join(path, sizeof(path), b->src_dir, list.paths[i]);
		if (!result)
			result = fw__hash_file(path, &size, &mode, digest, -1, buf, err, errlen);
		if (result)
			goto out;
		fw_hex_encode(hex, digest, sizeof(digest));
		result = lf_buf_printf(&text, "file = %s %llu %s %04o\n", list.paths[i], (unsigned long long)size,
				       hex, mode);
	}
	if (result) {
		snprintf(err, errlen, "manifest over the limit of %d bytes (too many or too long paths)",
			 FW_MANIFEST_MAX);
		goto out;
	}
	/* Read back what was written: the builder never makes an image its own verifier would refuse. */
	char why[256];
	result = fw_manifest_parse(text.data, text.len, &check, why, sizeof(why));
	if (result) {
		snprintf(err, errlen, "the options make an invalid manifest: %s", why);
		goto out;
	}
	result = fw_image_signed_message(text.data, (uint32_t)text.len, &msg);
	if (result)
		goto out;
	fw_key_sign(key, msg.data, msg.len, sig);

	int n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", b->out_path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errlen, "output path too long");
		tmp[0] = '\0';
		result = LF_EINVAL;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		tmp[0] = '\0';
		result = LF_EIO;
		goto out;
	}
	result = fw__write_all(fd, msg.data, msg.len);
	if (!result)
		result = fw__write_all(fd, sig, sizeof(sig));
	if (result) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < check.nfiles; i++) {
		const struct fw_file *f = &check.files[i];
		uint64_t size = 0;
		unsigned mode = 0644;
		uint8_t digest[FW_SHA256_LEN];
		result = fw__join(path, sizeof(path), b->src_dir, f->path);
		if (!result)
			result = fw__hash_file(path, &size, &mode, digest, fd, buf, err, errlen);
		if (result)
			goto out;
		if (size != f->size || memcmp(digest, f->sha256, sizeof(digest)) != 0) {
			snprintf(err, errlen, "%s changed while the image was built; try again", path);
			result = LF_EIO;
			goto out;
		}
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		snprintf(err, errlen, "cannot sync %s: %s", tmp, strerror(errno));
		result = LF_EIO;
		goto out;
	}
	fd = -1;
	if (rename(tmp, b->out_path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, b->out_path, strerror(errno));
		result = LF_EIO;
		goto out;
	}
	tmp[0] = '\0';
	snprintf(path, sizeof(path), "%s", b->out_path);
	fw__fsync_path(dirname(path));
out:
	if (fd >= 0)
		close(fd);
	if (tmp[0])
		unlink(tmp);
	for (size_t i = 0; i < list.n; i++)
		lf_free(list.paths[i]);
	fw_manifest_free(&check);
	lf_buf_free(&text);
	lf_buf_free(&msg);
	lf_free(buf);
	return result;
}
