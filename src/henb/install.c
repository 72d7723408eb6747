/* install.c: a downloaded image is checked in full (signature, product class, hardware version, every payload
 * file's SHA-256) on a worker thread before anything is written; then a firmware image goes into the inactive
 * A/B slot (fw_bootctl_install_to_inactive: checked again, extracted beside the slot, swapped atomically) and a
 * configuration image's one file is read back, hashed again as it is read. */
#include "henb/install.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/err.h"
#include "firmware/bootctl.h"
#include "firmware/fwerr.h"
#include "firmware/image.h"

struct henb_install {
	struct henb_install_req req;
	struct henb_install_res res;  /* written by the thread, read by the loop after the join */
	pthread_t thread;
	bool started, joined;
	int pipe[2];                  /* the thread writes one byte to [1] when it is done */
};

/* The payload's one file, read from the verified image and hashed again while read (the file could change
 * between the check and this read). */
static int lf__read_config(struct fw_image *img, struct henb_install_res *res)
{
	const struct fw_file *file = &img->manifest.files[0];
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	char chunk[8192];
	uint64_t off = img->payload_off, left = file->size;
	sha256_init(&ctx);
	while (left > 0) {
		size_t want = left < sizeof(chunk) ? (size_t)left : sizeof(chunk);
		ssize_t r = pread(img->fd, chunk, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			snprintf(res->err, sizeof(res->err), "cannot read the configuration file from the image");
			return LF_EIO;
		}
		sha256_update(&ctx, (size_t)r, (const uint8_t *)chunk);
		if (lf_buf_append(&res->config, chunk, (size_t)r))
			return LF_ETOOBIG;
		off += (uint64_t)r;
		left -= (uint64_t)r;
	}
	sha256_digest(&ctx, sizeof(digest), digest);
	if (memcmp(digest, file->sha256, sizeof(digest)) != 0) {
		snprintf(res->err, sizeof(res->err), "%s changed after it was verified", file->path);
		return FW_EHASH;
	}
	return LF_OK;
}

/* Is the image what the Download's FileType says? A firmware image carries the agent henb-boot starts; a
 * configuration image is one file of bounded size. */
static int lf__check_kind(const struct henb_install_req *req, const struct fw_manifest *m,
			  struct henb_install_res *res)
{
	if (req->kind == HENB_INSTALL_FIRMWARE) {
		for (size_t i = 0; i < m->nfiles; i++)
			if (strcmp(m->files[i].path, HENB_FW_AGENT_PATH) == 0 && m->files[i].mode == 0755)
				return LF_OK;
		snprintf(res->err, sizeof(res->err), "not a firmware image: no executable %s in it",
			 HENB_FW_AGENT_PATH);
	} else {
		if (m->nfiles == 1 && m->files[0].size <= HENB_INSTALL_CONFIG_MAX)
			return LF_OK;
		snprintf(res->err, sizeof(res->err),
			 "not a configuration image: it must hold exactly one file of at most %d bytes",
			 HENB_INSTALL_CONFIG_MAX);
	}
	res->wrong_kind = true;
	return LF_EINVAL;
}

static void *lf__run(void *arg)
{
	struct henb_install *in = arg;
	const struct henb_install_req *req = &in->req;
	struct henb_install_res *res = &in->res;
	struct fw_image img;
	char *err = res->err;
	size_t errlen = sizeof(res->err);

	/* 1. Everything about the image, reading only: nothing is written before all of it passed. */
	int result = fw_image_open(&img, req->image, req->pub, err, errlen);
	if (!result)
		result = fw_image_check_target(&img, req->product_class, req->hw_version, err, errlen);
	if (!result)
		result = lf__check_kind(req, &img.manifest, res);
	if (!result)
		result = fw_image_verify_payload(&img, err, errlen);
	if (!result) {
		snprintf(res->version, sizeof(res->version), "%s", img.manifest.version);
		if (req->kind == HENB_INSTALL_CONFIG)
			result = lf__read_config(&img, res);
	}
	fw_image_close(&img);
	/* 2. A firmware image into the inactive slot (which checks the image once more as it extracts it). */
	if (!result && req->kind == HENB_INSTALL_FIRMWARE)
		result = fw_bootctl_install_to_inactive(req->dev, req->image, req->pub, req->product_class,
							req->hw_version, &res->slot, err, errlen);
	res->result = result;
	ssize_t w;
	do
		w = write(in->pipe[1], "x", 1);
	while (w < 0 && errno == EINTR);
	return NULL;
}

int henb_install_start(struct henb_install **out, const struct henb_install_req *req, char *err, size_t errlen)
{
	struct henb_install *in = lf_calloc(1, sizeof(*in));
	sigset_t all, old;
	in->req = *req;
	in->res.slot = FW_SLOT_NONE;
	lf_buf_init(&in->res.config, HENB_INSTALL_CONFIG_MAX);
	if (pipe(in->pipe) != 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		lf_buf_free(&in->res.config);
		lf_free(in);
		return LF_EIO;
	}
	for (int i = 0; i < 2; i++)
		fcntl(in->pipe[i], F_SETFD, FD_CLOEXEC);
	fcntl(in->pipe[0], F_SETFL, O_NONBLOCK);
	/* Signals stay with the loop's thread (its handler only sets a flag, but one owner is simpler). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&in->thread, NULL, lf__run, in);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "cannot start the install thread: %s", strerror(rc));
		in->joined = true;
		henb_install_free(&in);
		return LF_EIO;
	}
	in->started = true;
	*out = in;
	return LF_OK;
}

int henb_install_fd(const struct henb_install *in)
{
	return in->pipe[0];
}

static void lf__join(struct henb_install *in)
{
	if (in->started && !in->joined) {
		pthread_join(in->thread, NULL);
		in->joined = true;
	}
}

bool henb_install_collect(struct henb_install *in, struct henb_install_res *res)
{
	char c;
	if (in->joined || read(in->pipe[0], &c, 1) != 1)
		return false;
	lf__join(in);
	*res = in->res;
	lf_buf_init(&in->res.config, HENB_INSTALL_CONFIG_MAX); /* the bytes are the caller's now */
	return true;
}

void henb_install_free(struct henb_install **inp)
{
	struct henb_install *in = *inp;
	if (!in)
		return;
	lf__join(in);
	lf_buf_free(&in->res.config);
	for (int i = 0; i < 2; i++)
		if (in->pipe[i] >= 0)
			close(in->pipe[i]);
	lf_free(in);
	*inp = NULL;
}
