/*
 * jcni-shim: the CNI plugin executable that forwards one CNI call to `jcni serve`.
 *
 * Installed once per in-process plugin type (`jcni install-plugins DIR`); the basename of argv[0] names the type.
 * It sends the CNI_* environment, the type and stdin to the daemon's Unix socket and prints the daemon's stdout and
 * stderr, exiting with its status. When the daemon cannot be reached or does not answer, it prints a CNI error
 * (code 11, try again later) and exits 1.
 *
 * The socket is $JCNI_SOCKET, else the first line of .jcni-socket in the shim's own directory (written by
 * `install-plugins --socket`), else /run/jcni/jcni.sock. The file is there for callers that pass the plugin a
 * minimal environment, such as the `podman container cleanup` that conmon runs when a container exits.
 *
 * On-demand start: when the daemon is not running and a serve command is set ($JCNI_SERVE_CMD, else the first line
 * of .jcni-serve-cmd beside the shim), the shim runs it with /bin/sh, detached (a grandchild in a session of its
 * own, stdio on /dev/null and no other descriptor, so a runtime reading the shim's output does not wait for the
 * daemon), and retries the connection for up to $JCNI_SERVE_START_SECONDS (default 30). A lock file next to the
 * socket lets only one of several concurrent shims start it.
 *
 * Wire format (docs/design.md): every field is a 4-byte big-endian length and that many bytes.
 *   request:  "JCN1" type CNI_COMMAND CNI_CONTAINERID CNI_NETNS CNI_IFNAME CNI_ARGS CNI_PATH stdin
 *   answer:   "JCN1" status(4 bytes, big-endian) stdout stderr
 *
 * Built static with gcc -Os so that it starts in about a millisecond and needs nothing on the host.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/jcni/jcni.sock"
#define MAGIC "JCN1"
/* How long the daemon may take to answer: longer than its own default deadline (120 s), so it reports first. */
#define DEFAULT_ANSWER_SECONDS 150
#define CONNECT_SECONDS 10
#define MAX_FIELD (64u << 20)
#define DEFAULT_START_SECONDS 30
/* The files beside the shim that stand in for $JCNI_SOCKET and $JCNI_SERVE_CMD (ShimDefaults on the Java side). */
#define SOCKET_FILE ".jcni-socket"
#define SERVE_CMD_FILE ".jcni-serve-cmd"
#define SETTING_MAX 4096

static const char *socket_path;

/* Prints a CNI error as Go's skel does (4-space indented JSON) and exits 1. */
static void fail(int code, const char *msg, const char *details) {
  const char *parts[2] = {msg, details};
  printf("{\n    \"code\": %d,\n    \"msg\": \"", code);
  for (int i = 0; i < 2; i++) {
    if (i == 1) {
      if (details == NULL || *details == '\0') break;
      printf("\",\n    \"details\": \"");
    }
    for (const unsigned char *c = (const unsigned char *)parts[i]; *c; c++) {
      if (*c == '"' || *c == '\\') printf("\\%c", *c);
      else if (*c < 0x20) printf("\\u%04x", *c);
      else putchar(*c);
    }
  }
  printf("\"\n}");
  fflush(stdout);
  exit(1);
}

/* Fails with code 11 and a message made of fmt with the socket path in it; err (an errno, or 0) is the details. */
static void fail_at(const char *fmt, int err) {
  char msg[512];
  snprintf(msg, sizeof msg, fmt, socket_path);
  fail(11, msg, err ? strerror(err) : "");
}

struct buf {
  char *data;
  size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    b->data = realloc(b->data, cap);
    if (b->data == NULL) fail(999, "jcni shim: out of memory", "");
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
}

static void put_field(struct buf *b, const char *p, size_t n) {
  unsigned char len[4] = {n >> 24, n >> 16, n >> 8, n};
  put(b, len, 4);
  put(b, p, n);
}

static void put_env(struct buf *b, const char *name) {
  const char *v = getenv(name);
  put_field(b, v ? v : "", v ? strlen(v) : 0);
}

static void read_stdin(struct buf *b) {
  char chunk[65536];
  for (;;) {
    ssize_t n = read(0, chunk, sizeof chunk);
    if (n == 0) return;
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(5, "error reading from stdin", strerror(errno));
    }
    put(b, chunk, (size_t)n);
  }
}

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_at("cannot send the request to the jcni daemon at %s", errno);
    }
    p += w;
    n -= (size_t)w;
  }
}

/* Reads exactly n bytes of the answer; an early end means the daemon went away mid-request. */
static void read_exact(int fd, void *p, size_t n) {
  char *q = p;
  while (n > 0) {
    ssize_t r = read(fd, q, n);
    if (r == 0) fail_at("jcni daemon at %s closed the connection before answering", 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) fail_at("jcni daemon at %s did not answer in time", ETIMEDOUT);
      fail_at("cannot read the answer of the jcni daemon at %s", errno);
    }
    q += r;
    n -= (size_t)r;
  }
}

static uint32_t read_u32(int fd) {
  unsigned char b[4];
  read_exact(fd, b, 4);
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Reads one answer field and copies it to fd. */
static void relay_field(int sock, int fd) {
  uint32_t n = read_u32(sock);
  if (n > MAX_FIELD) fail_at("malformed answer from the jcni daemon at %s", 0);
  char *p = malloc(n ? n : 1);
  if (p == NULL) fail(999, "jcni shim: out of memory", "");
  read_exact(sock, p, n);
  for (size_t off = 0; off < n;) {
    ssize_t w = write(fd, p + off, n - off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) break; /* the caller closed its end; nothing else to tell it */
    off += (size_t)w;
  }
  free(p);
}

/* A new socket to the daemon, connected, or -1 with errno set. */
static int dial(const struct sockaddr_un *addr, long answer_seconds) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail_at("cannot create a socket for the jcni daemon at %s", errno);
  /* On a Unix socket, SO_SNDTIMEO also bounds connect() when the daemon's backlog is full. */
  struct timeval snd = {.tv_sec = CONNECT_SECONDS}, rcv = {.tv_sec = answer_seconds};
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &snd, sizeof snd);
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &rcv, sizeof rcv);
  if (connect(s, (const struct sockaddr *)addr, sizeof *addr) == 0) return s;
  int e = errno;
  close(s);
  errno = e;
  return -1;
}

/*
 * The directory the shim was run from, with a trailing slash: that of argv[0] (runtimes exec plugins by path, and
 * install-plugins wrote the settings beside that name), else that of /proc/self/exe. Empty when neither is known.
 */
static void own_dir(const char *argv0, char *dir, size_t size) {
  const char *slash = strrchr(argv0, '/');
  if (slash != NULL && (size_t)(slash - argv0) + 2 <= size) {
    memcpy(dir, argv0, (size_t)(slash - argv0) + 1);
    dir[slash - argv0 + 1] = '\0';
    return;
  }
  ssize_t n = readlink("/proc/self/exe", dir, size - 1);
  dir[n > 0 ? n : 0] = '\0';
  char *last = strrchr(dir, '/');
  if (last != NULL) last[1] = '\0';
  else dir[0] = '\0';
}

/* Fails with code 11: the shim's setting in file path cannot be read (err: the errno). */
static void unreadable(const char *path, int err) {
  char msg[4200];
  snprintf(msg, sizeof msg, "jcni shim cannot read %s", path);
  fail(11, msg, strerror(err));
}

/*
 * A setting of the shim: $var when set and not empty, else the first line of the file dir+name, else NULL.
 * *source names where it came from, for messages.
 */
static char *setting(const char *var, const char *dir, const char *name, char **source) {
  char *v = getenv(var);
  if (v != NULL && *v != '\0') {
    *source = (char *)var;
    return v;
  }
  if (*dir == '\0') return NULL;
  size_t plen = strlen(dir) + strlen(name) + 1;
  char *path = malloc(plen);
  if (path == NULL) fail(999, "jcni shim: out of memory", "");
  snprintf(path, plen, "%s%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      free(path);
      return NULL;
    }
    unreadable(path, errno);
  }
  char *text = malloc(SETTING_MAX + 1);
  if (text == NULL) fail(999, "jcni shim: out of memory", "");
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, text + len, SETTING_MAX - len);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) unreadable(path, errno);
    if (r == 0 || (len += (size_t)r) == SETTING_MAX) break;
  }
  close(fd);
  text[len] = '\0';
  text[strcspn(text, "\n")] = '\0';
  if (*text == '\0') {
    free(path);
    free(text);
    return NULL;
  }
  *source = path;
  return text;
}

/* Closes every descriptor above stderr, so that the daemon holds none of the runtime's pipes or files. */
static void close_inherited(void) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0) return;
#endif
  long max = sysconf(_SC_OPEN_MAX);
  for (long fd = 3; fd < (max > 0 ? max : 1024); fd++) close((int)fd);
}

/*
 * Runs cmd with /bin/sh as a grandchild in a session of its own (so it is no child of the runtime's, and no
 * terminal or process group of the caller's reaches it), stdio on /dev/null, nothing else open; does not wait
 * for it, only for the short-lived child between.
 */
static void spawn_daemon(const char *cmd) {
  pid_t pid = fork();
  if (pid < 0) fail_at("cannot start the jcni daemon for %s", errno);
  if (pid > 0) {
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    return;
  }
  setsid();
  if (fork() != 0) _exit(0);
  if (chdir("/") != 0) _exit(127);
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  close_inherited();
  execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
  _exit(127);
}

/*
 * The daemon is not running: starts it with $JCNI_SERVE_CMD, under a lock so that concurrent shims start it once,
 * and connects within the start bound. Returns the socket, or -1 with errno of the last attempt.
 */
static int start_and_dial(const struct sockaddr_un *addr, long answer_seconds, const char *cmd) {
  long bound = DEFAULT_START_SECONDS;
  const char *b = getenv("JCNI_SERVE_START_SECONDS");
  if (b != NULL && atol(b) > 0) bound = atol(b);
  char lock_path[sizeof addr->sun_path + 16];
  snprintf(lock_path, sizeof lock_path, "%s.start-lock", socket_path);
  /* No directory for the socket yet: nothing can have started the daemon, and it makes the directory itself. */
  int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 && errno != ENOENT) fail_at("cannot lock the start of the jcni daemon at %s", errno);
  if (lock >= 0 && flock(lock, LOCK_EX) < 0) fail_at("cannot lock the start of the jcni daemon at %s", errno);
  /* Another shim may have started it while this one waited for the lock. */
  int s = dial(addr, answer_seconds);
  if (s >= 0) return s;
  spawn_daemon(cmd);
  for (long waited_ms = 0; waited_ms < bound * 1000; waited_ms += 50) {
    usleep(50 * 1000);
    s = dial(addr, answer_seconds);
    if (s >= 0) return s;
  }
  return -1; /* the lock goes with the process */
}

int main(int argc, char **argv) {
  (void)argc;
  const char *type = strrchr(argv[0], '/');
  type = type ? type + 1 : argv[0];
  char dir[4096];
  own_dir(argv[0], dir, sizeof dir);
  char *socket_source = "JCNI_SOCKET";
  socket_path = setting("JCNI_SOCKET", dir, SOCKET_FILE, &socket_source);
  if (socket_path == NULL) socket_path = DEFAULT_SOCKET;
  char *serve_source = "JCNI_SERVE_CMD";
  const char *serve_cmd = setting("JCNI_SERVE_CMD", dir, SERVE_CMD_FILE, &serve_source);
  long answer_seconds = DEFAULT_ANSWER_SECONDS;
  const char *t = getenv("JCNI_SHIM_TIMEOUT");
  if (t != NULL && atol(t) > 0) answer_seconds = atol(t);

  struct buf req = {0};
  put(&req, MAGIC, 4);
  put_field(&req, type, strlen(type));
  static const char *vars[] = {"CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH"};
  for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) put_env(&req, vars[i]);
  /* Like skel, stdin is read for every command but VERSION (and the "about" call without a command). */
  const char *cmd = getenv("CNI_COMMAND");
  struct buf in = {0};
  if (cmd != NULL && *cmd != '\0' && strcmp(cmd, "VERSION") != 0) read_stdin(&in);
  put_field(&req, in.data ? in.data : "", in.len);

  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(socket_path) >= sizeof addr.sun_path) {
    char msg[4200];
    snprintf(msg, sizeof msg, "the socket path of %s is too long for a Unix socket", socket_source);
    fail(4, msg, socket_path);
  }
  strcpy(addr.sun_path, socket_path);
  int s = dial(&addr, answer_seconds);
  if (s < 0 && (errno == ENOENT || errno == ECONNREFUSED) && serve_cmd != NULL) {
    s = start_and_dial(&addr, answer_seconds, serve_cmd);
    if (s < 0 && (errno == ENOENT || errno == ECONNREFUSED)) {
      int e = errno;
      char msg[8400];
      snprintf(msg, sizeof msg, "jcni daemon not running at %s and not answering after the serve command of %s "
          "started it", socket_path, serve_source);
      fail(11, msg, strerror(e));
    }
  }
  if (s < 0) {
    int e = errno;
    if (e == ENOENT || e == ECONNREFUSED) fail_at("jcni daemon not running at %s", e);
    fail_at("cannot connect to the jcni daemon at %s", e);
  }
  write_all(s, req.data, req.len);

  char magic[4];
  read_exact(s, magic, 4);
  if (memcmp(magic, MAGIC, 4) != 0) fail_at("malformed answer from the jcni daemon at %s", 0);
  uint32_t status = read_u32(s);
  relay_field(s, 1);
  relay_field(s, 2);
  return status > 255 ? 1 : (int)status;
}
