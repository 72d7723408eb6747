/* slot.c: install an image into a slot directory atomically, verify a slot at boot, recover after a power cut. */
#include "firmware/slot.h"

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
#include "common/file.h"
#include "firmware/tree.h"

/*
 * Power cut at each step of fw_slot_install (S = the slot directory), and what fw_slot_recover does at boot:
 *
 *   step                                         on disk after a cut           recovery at boot
 *   1 remove leftovers, mkdir S.new              S, maybe partial S.new         delete S.new
 *   2 extract + hash files, write .manifest      S, partial S.new               delete S.new
 *     and .signature, fsync files and dirs
 *   3 rename S -> S.old, fsync parent            S.old, complete S.new          rename S.old -> S, delete S.new
 *   4 rename S.new -> S, fsync parent            S (new), S.old                 delete S.old
 *   5 delete S.old, fsync parent                 S (new), partial S.old         delete S.old
 *
 * So the slot is always the old or the new image in full, and an install counts only once fw_slot_install has
 * returned LF_OK (at step 3 recovery rolls back, although S.new is complete: the caller never learnt of it,
 * so the boot state does not point at it). The boot loader also verifies every slot it boots.
 */

#define FW__CHUNK 65536

static int fw__sibling(char *out, size_t outlen, const char *slot_dir, const char *suffix)
{
	int n = snprintf(out, outlen, "%s%s", slot_dir, suffix);
	return n < 0 || (size_t)n >= outlen ? LF_ETOOBIG : LF_OK;
}

static int fw__fsync_parent(const char *path)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", path);
	return fw__fsync_path(dirname(copy));
}

static int fw__exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Write a new file dir/name with data, fsynced. */
static int fw__write_new(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	if (fw__join(path, sizeof(path), dir, name))
		return LF_ETOOBIG;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return LF_EIO;
	int result = LF_OK;
	const char *p = data;
	while (len && !result) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno != EINTR)
			result = LF_EIO;
		if (w > 0) {
			p += w;
			len -= (size_t)w;
		}
	}
	if (!result && fsync(fd) != 0)
		result = LF_EIO;
	if (close(fd) != 0 && !result)
		result = LF_EIO;
	return result;
}

int fw_slot_recover(const char *slot_dir, char *note, size_t notelen)
{
	char new_dir[PATH_MAX];
	char old_dir[PATH_MAX];
	int result;

	if (note && notelen)
		note[0] = '\0';
	if (fw__sibling(new_dir, sizeof(new_dir), slot_dir, ".new") ||
	    fw__sibling(old_dir, sizeof(old_dir), slot_dir, ".old"))
		return LF_ETOOBIG;
	int had_new = fw__exists(new_dir);
	int had_old = fw__exists(old_dir);
	if (!had_new && !had_old)
		return LF_OK;
	if (!fw__exists(slot_dir) && had_old) {
		/* Cut between the two renames: the install never completed, put the old content back. */
		if (rename(old_dir, slot_dir) != 0)
			return LF_EIO;
		fw__fsync_parent(slot_dir);
		if (note)
			snprintf(note, notelen, "interrupted install rolled back (%s.old restored)", slot_dir);
	} else if (note) {
		snprintf(note, notelen, "removed leftovers of an interrupted install:%s%s", had_new ? " .new" : "",
			 had_old ? " .old" : "");
	}
	result = fw__tree_remove(new_dir);
	if (!result)
		result = fw__tree_remove(old_dir);
	if (!result)
		fw__fsync_parent(slot_dir);
	return result;
}

int fw_slot_install(struct fw_image *img, const char *slot_dir, int readonly, char *err, size_t errlen)
{
	char new_dir[PATH_MAX];
	char old_dir[PATH_MAX];
	int result;

	if (!img->verified) {
		snprintf(err, errlen, "refusing to install an image whose signature was not checked");
		return LF_EINVAL;
	}
	if (fw__sibling(new_dir, sizeof(new_dir), slot_dir, ".new") ||
	    fw__sibling(old_dir, sizeof(old_dir), slot_dir, ".old")) {
		snprintf(err, errlen, "slot path too long");
		return LF_ETOOBIG;
	}
	result = fw_slot_recover(slot_dir, NULL, 0);
	if (result) {
		snprintf(err, errlen, "cannot clear leftovers of an earlier install next to %s", slot_dir);
		return result;
	}
	if (mkdir(new_dir, 0755) != 0) {
		snprintf(err, errlen, "cannot create %s: %s", new_dir, strerror(errno));
		return LF_EIO;
	}
	result = fw_image_extract(img, new_dir, err, errlen);
	if (result)
		goto out;
	result = fw__write_new(new_dir, FW_SLOT_MANIFEST, img->manifest_text, img->manifest_len);
	if (!result)
		result = fw__write_new(new_dir, FW_SLOT_SIGNATURE, img->sig, sizeof(img->sig));
	if (!result && readonly)
		result = fw__tree_readonly(new_dir);
	if (!result)
		result = fw__tree_fsync(new_dir);
	if (result) {
		snprintf(err, errlen, "cannot complete %s: %s", new_dir, lf_strerror(result));
		goto out;
	}
	if (fw__exists(slot_dir)) {
		if (rename(slot_dir, old_dir) != 0) {
			snprintf(err, errlen, "cannot move %s aside: %s", slot_dir, strerror(errno));
			result = LF_EIO;
			goto out;
		}
		fw__fsync_parent(slot_dir);
	}
	if (rename(new_dir, slot_dir) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", new_dir, slot_dir, strerror(errno));
		result = LF_EIO;
		/* Put the old content back now rather than at the next boot. */
		if (fw__exists(old_dir))
			rename(old_dir, slot_dir);
		goto out;
	}
	fw__fsync_parent(slot_dir);
	/* The new slot is in place; a failure to delete the old tree is only clutter for the next recovery. */
	fw__tree_remove(old_dir);
	fw__fsync_parent(slot_dir);
out:
	if (result)
		fw__tree_remove(new_dir);
	return result;
}

/* ------------------------------------------------------------------------------------------ verification */

static int fw__read_small(const char *dir, const char *name, struct lf_buf *b)
{
	char path[PATH_MAX];
	if (fw__join(path, sizeof(path), dir, name))
		return LF_ETOOBIG;
	return lf_file_read(path, b);
}

int fw_slot_read_manifest(const char *slot_dir, struct fw_manifest *m, char *err, size_t errlen)
{
	struct lf_buf text;
	lf_buf_init(&text, FW_MANIFEST_MAX);
	memset(m, 0, sizeof(*m));
	int result = fw__read_small(slot_dir, FW_SLOT_MANIFEST, &text);
	if (result) {
		snprintf(err, errlen, "%s/%s: %s", slot_dir, FW_SLOT_MANIFEST, lf_strerror(result));
		result = result == LF_ENOTFOUND ? FW_EMISSING : result;
		goto out;
	}
	result = fw_manifest_parse(text.data ? text.data : "", text.len, m, err, errlen);
out:
	lf_buf_free(&text);
	return result;
}

struct fw__slot_walk {
	const char **sorted; /* manifest paths, sorted for bsearch */
	size_t n;
	char *err;
	size_t errlen;
};

static int fw__cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Everything in a slot must be a directory, the slot's own manifest/signature, or a listed regular file. */
static int fw__slot_entry(const char *rel, const struct stat *st, void *ctx)
{
	struct fw__slot_walk *w = ctx;
	if (S_ISDIR(st->st_mode))
		return LF_OK;
	if (!S_ISREG(st->st_mode)) {
		snprintf(w->err, w->errlen, "slot holds %s '%s', which no image installs",
			 S_ISLNK(st->st_mode) ? "a symbolic link" : "a special file", rel);
		return FW_EEXTRA;
	}
	if (strcmp(rel, FW_SLOT_MANIFEST) == 0 || strcmp(rel, FW_SLOT_SIGNATURE) == 0)
		return LF_OK;
	if (!bsearch(&rel, w->sorted, w->n, sizeof(w->sorted[0]), fw__cmp_str)) {
		snprintf(w->err, w->errlen, "slot holds file '%s', which its manifest does not list", rel);
		return FW_EEXTRA;
	}
	return LF_OK;
}

static int fw__check_file(const char *slot_dir, const struct fw_file *f, char *buf, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	struct sha256_ctx sha;
	uint8_t digest[FW_SHA256_LEN];
	int result = LF_OK;
	int fd = -1;

	if (fw__join(path, sizeof(path), slot_dir, f->path)) {
		snprintf(err, errlen, "slot path too long");
		return LF_ETOOBIG;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		result = errno == ENOENT || errno == ENOTDIR ? FW_EMISSING : errno == ELOOP ? FW_EEXTRA : LF_EIO;
		snprintf(err, errlen, "slot file %s: %s", f->path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		result = FW_EEXTRA;
		snprintf(err, errlen, "slot file %s is not a regular file", f->path);
		goto out;
	}
	if ((uint64_t)st.st_size != f->size) {
		result = FW_ESIZE;
		snprintf(err, errlen, "slot file %s is %lld bytes, its manifest says %llu", f->path,
			 (long long)st.st_size, (unsigned long long)f->size);
		goto out;
	}
	sha256_init(&sha);
	uint64_t left = f->size;
	while (left) {
		size_t want = left < FW__CHUNK ? (size_t)left : FW__CHUNK;
		ssize_t got = read(fd, buf, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			result = got < 0 ? LF_EIO : FW_ESIZE;
			snprintf(err, errlen, "slot file %s: short read", f->path);
			goto out;
		}
		sha256_update(&sha, (size_t)got, (const uint8_t *)buf);
		left -= (uint64_t)got;
	}
	sha256_digest(&sha, sizeof(digest), digest);
	if (memcmp(digest, f->sha256, sizeof(digest)) != 0) {
		result = FW_EHASH;
		snprintf(err, errlen, "slot file %s: SHA-256 differs from its signed manifest", f->path);
	}
out:
	if (fd >= 0)
		close(fd);
	return result;
}

int fw_slot_verify(const char *slot_dir, const uint8_t pub[FW_KEY_LEN], struct fw_manifest *m, char *err,
		   size_t errlen)
{
	struct lf_buf text;
	struct lf_buf sig;
	struct lf_buf msg;
	struct fw_manifest own;
	struct fw_manifest *mf = m ? m : &own;
	struct fw__slot_walk w = {.sorted = NULL, .n = 0, .err = err, .errlen = errlen};
	char toolong[FW_PATH_MAX + 2] = "";
	char *buf = NULL;
	int result;

	memset(mf, 0, sizeof(*mf));
	lf_buf_init(&text, FW_MANIFEST_MAX);
	lf_buf_init(&sig, FW_SIG_LEN);
	lf_buf_init(&msg, FW_HEADER_LEN + FW_MANIFEST_MAX);
	struct stat st;
	if (lstat(slot_dir, &st) != 0) {
		result = FW_EMISSING;
		snprintf(err, errlen, "slot %s does not exist", slot_dir);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		result = FW_EEXTRA;
		snprintf(err, errlen, "slot %s is not a directory (a link or a file took its place)", slot_dir);
		goto out;
	}
	result = fw__read_small(slot_dir, FW_SLOT_MANIFEST, &text);
	if (result) {
		snprintf(err, errlen, "slot has no readable %s: %s", FW_SLOT_MANIFEST,
			 result == LF_ETOOBIG ? "over the size limit" : lf_strerror(result));
		result = result == LF_ENOTFOUND ? FW_EMISSING : result == LF_ETOOBIG ? FW_EMANIFEST : result;
		goto out;
	}
	result = fw__read_small(slot_dir, FW_SLOT_SIGNATURE, &sig);
	if (result == LF_ENOTFOUND) {
		result = FW_EUNSIGNED;
		snprintf(err, errlen, "slot has no %s", FW_SLOT_SIGNATURE);
		goto out;
	}
	if (result || sig.len != FW_SIG_LEN || text.len == 0) {
		result = result == LF_EIO ? LF_EIO : FW_ESIG;
		snprintf(err, errlen, "slot's %s or %s is malformed", FW_SLOT_SIGNATURE, FW_SLOT_MANIFEST);
		goto out;
	}
	result = fw_image_signed_message(text.data, (uint32_t)text.len, &msg);
	if (result)
		goto out;
	if (!fw_key_verify(pub, msg.data, msg.len, (const uint8_t *)sig.data)) {
		result = FW_ESIG;
		snprintf(err, errlen, "slot's manifest signature does not verify with the trusted key");
		goto out;
	}
	result = fw_manifest_parse(text.data, text.len, mf, err, errlen);
	if (result)
		goto out;
	w.sorted = lf_calloc(mf->nfiles, sizeof(w.sorted[0]));
	for (size_t i = 0; i < mf->nfiles; i++)
		w.sorted[i] = mf->files[i].path;
	w.n = mf->nfiles;
	qsort(w.sorted, w.n, sizeof(w.sorted[0]), fw__cmp_str);
	result = fw__tree_walk(slot_dir, fw__slot_entry, &w, toolong);
	if (result == LF_ETOOBIG) {
		result = FW_EEXTRA;
		snprintf(err, errlen, "slot holds a path longer than %d bytes: %s...", FW_PATH_MAX, toolong);
	} else if (result == LF_EIO || result == LF_ENOTFOUND) {
		snprintf(err, errlen, "cannot read slot %s", slot_dir);
		result = LF_EIO;
	}
	if (result)
		goto out;
	buf = lf_malloc(FW__CHUNK);
	for (size_t i = 0; i < mf->nfiles && !result; i++)
		result = fw__check_file(slot_dir, &mf->files[i], buf, err, errlen);
out:
	lf_free(buf);
	lf_free(w.sorted);
	if (!m || result)
		fw_manifest_free(mf);
	lf_buf_free(&text);
	lf_buf_free(&sig);
	lf_buf_free(&msg);
	return result;
}
