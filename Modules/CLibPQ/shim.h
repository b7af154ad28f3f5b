// libpq from Debian 12 (libpq-dev). Every function is fixed-arity, so no wrappers are needed.
#ifndef RECALL_CLIBPQ_SHIM_H
#define RECALL_CLIBPQ_SHIM_H

#include <postgresql/libpq-fe.h>

#endif
