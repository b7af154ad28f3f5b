// hiredis 0.14.1 as shipped by Debian 12 (libhiredis-dev). No TLS, no RESP3.
#ifndef RECALL_CHIREDIS_SHIM_H
#define RECALL_CHIREDIS_SHIM_H

#include <hiredis/hiredis.h>
#include <signal.h>

// `redisContext.errstr` is a char[128] that Swift imports as a tuple; a pointer is easier to read.
static inline const char *recall_redis_errstr(const redisContext *c) {
    return c->errstr;
}

// hiredis 0.14 writes with plain write(2): a peer that closed the socket would kill the
// process with SIGPIPE unless it is ignored process-wide.
static inline void recall_ignore_sigpipe(void) {
    signal(SIGPIPE, SIG_IGN);
}

#endif
