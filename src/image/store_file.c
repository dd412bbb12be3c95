/* The filesystem image store: one file per image, <dir>/<id>. An upload writes
 * <dir>/.<id>.XXXXXX, fsyncs it, renames it over <dir>/<id> and fsyncs the directory, so a
 * crash leaves either the old state or the whole new file; stray temp files (dot names)
 * are never served. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_MODULE "image"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "image/store.h"

#define DIRECT_ALIGN 4096

struct file_store {
	struct image_store base;
	char *dir;
};

struct store_writer {
	struct file_store *st;
	int fd;
	bool direct; /* O_DIRECT while the chunks are page-aligned */
	char *tmp, *path;
};

static int sys_err(struct err *err, const char *what, const char *path, int e)
{
	if (e == ENOSPC || e == EDQUOT)
		return err_set(err, ERR_TOO_LARGE, "Image storage media is full: There is not "
						   "enough disk space on the image storage media.");
	log_error("%s %s: %s", what, path, strerror(e));
	return err_set(err, ERR_INTERNAL, "The image store failed; see the server log.");
}

/* Ids come from the database (UUIDs); refuse anything that could leave the directory. */
static bool id_ok(const char *id)
{
	return id[0] != '\0' && id[0] != '.' && strchr(id, '/') == NULL;
}

static char *obj_path(struct file_store *st, const char *id)
{
	return xasprintf("%s/%s", st->dir, id);
}

static void writer_free(struct store_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	free(w->tmp);
	free(w->path);
	free(w);
}

static struct store_writer *fs_open_write(struct image_store *base, const char *id,
					  struct err *err)
{
	struct file_store *st = (struct file_store *)base;
	struct store_writer *w;

	if (!id_ok(id)) {
		err_set(err, ERR_BAD_REQUEST, "Invalid image id");
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->st = st;
	w->tmp = xasprintf("%s/.%s.XXXXXX", st->dir, id);
	w->path = obj_path(st, id);
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0) {
		sys_err(err, "create", w->tmp, errno);
		writer_free(w);
		return NULL;
	}
	fchmod(w->fd, 0600);
	/* Page-aligned chunks go to the disk without a copy into the page cache, which costs
	 * more CPU than the write itself on a loaded host (and commit's fsync has little left
	 * to do); the first other chunk (the tail) turns this off. A file system without
	 * O_DIRECT (tmpfs) refuses it here. The object is not in the page cache after that:
	 * a download asks for read-ahead of what it sends. */
	int fl = fcntl(w->fd, F_GETFL);
	w->direct = fl >= 0 && fcntl(w->fd, F_SETFL, fl | O_DIRECT) == 0;
	return w;
}

static void no_direct(struct store_writer *w)
{
	int fl = fcntl(w->fd, F_GETFL);

	if (fl >= 0)
		fcntl(w->fd, F_SETFL, fl & ~O_DIRECT);
	w->direct = false;
}

static int fs_write(struct store_writer *w, const void *buf, size_t size, struct err *err)
{
	const char *p = buf;

	while (size > 0) {
		if (w->direct && ((uintptr_t)p % DIRECT_ALIGN != 0 || size % DIRECT_ALIGN != 0))
			no_direct(w);
		ssize_t n = write(w->fd, p, size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EINVAL && w->direct) {
			no_direct(w);
			continue;
		}
		if (n < 0)
			return sys_err(err, "write", w->tmp, errno);
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

static void fs_abort(struct store_writer *w)
{
	if (w == NULL)
		return;
	unlink(w->tmp);
	writer_free(w);
}

static int fs_commit(struct store_writer *w, struct err *err)
{
	int dfd, rc = 0;

	if (fsync(w->fd) < 0 || close(w->fd) < 0) {
		w->fd = -1;
		sys_err(err, "fsync", w->tmp, errno);
		fs_abort(w);
		return -1;
	}
	w->fd = -1;
	if (rename(w->tmp, w->path) < 0) {
		sys_err(err, "rename", w->tmp, errno);
		fs_abort(w);
		return -1;
	}
	dfd = open(w->st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		rc = sys_err(err, "fsync", w->st->dir, errno);
	if (dfd >= 0)
		close(dfd);
	writer_free(w);
	return rc;
}

static int fs_open_read(struct image_store *base, const char *id, int *fd, uint64_t *size,
			struct err *err)
{
	struct file_store *st = (struct file_store *)base;
	struct stat sb;
	char *path;

	if (!id_ok(id))
		return err_set(err, ERR_NOT_FOUND, "Image %s has no data", id);
	path = obj_path(st, id);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;
		if (e == ENOENT)
			err_set(err, ERR_NOT_FOUND, "Image %s has no data", id);
		else
			sys_err(err, "open", path, e);
		free(path);
		return -1;
	}
	free(path);
	if (fstat(*fd, &sb) < 0) {
		close(*fd);
		*fd = -1;
		return sys_err(err, "fstat", id, errno);
	}
	*size = (uint64_t)sb.st_size;
	return 0;
}

static int fs_remove(struct image_store *base, const char *id, struct err *err)
{
	struct file_store *st = (struct file_store *)base;
	char *path;
	int rc = 0;

	if (!id_ok(id))
		return 0;
	path = obj_path(st, id);
	if (unlink(path) < 0 && errno != ENOENT)
		rc = sys_err(err, "unlink", path, errno);
	free(path);
	return rc;
}

static int fs_sweep(struct image_store *base, struct err *err)
{
	struct file_store *st = (struct file_store *)base;
	DIR *d = opendir(st->dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return sys_err(err, "opendir", st->dir, errno);
	while ((e = readdir(d)) != NULL) {
		/* temp files are ".<id>.XXXXXX"; "." and ".." are not ours */
		if (e->d_name[0] != '.' || strchr(e->d_name + 1, '.') == NULL ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0) {
			log_info("removed %s/%s, left by an upload that did not end", st->dir,
				 e->d_name);
			n++;
		} else if (errno != ENOENT) {
			log_warn("unlink %s/%s: %s", st->dir, e->d_name, strerror(errno));
		}
	}
	closedir(d);
	return n;
}

static void fs_free(struct image_store *base)
{
	struct file_store *st = (struct file_store *)base;

	free(st->dir);
	free(st);
}

static const struct image_store_ops file_ops = {
	.name = "file",
	.open_write = fs_open_write,
	.write = fs_write,
	.commit = fs_commit,
	.abort = fs_abort,
	.open_read = fs_open_read,
	.remove = fs_remove,
	.sweep = fs_sweep,
	.free = fs_free,
};

struct image_store *store_file_new(const char *dir, struct err *err)
{
	struct file_store *st;

	if (util_mkdir_p(dir, 0700) < 0) {
		sys_err(err, "mkdir", dir, errno);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->base.ops = &file_ops;
	st->dir = xstrdup(dir);
	return &st->base;
}
