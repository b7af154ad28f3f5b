// libcurl 7.88 from Debian 12 (libcurl4-openssl-dev).
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: each argument
// type gets a typed wrapper here.
#ifndef RECALL_CCURL_SHIM_H
#define RECALL_CCURL_SHIM_H

#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

typedef size_t (*recall_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);

static inline CURLcode recall_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode recall_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode recall_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode recall_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode recall_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode recall_curl_setopt_callback(CURL *handle, CURLoption option, recall_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode recall_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode recall_curl_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode recall_curl_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

// CurlKit's callbacks. The function-pointer types are curl's own; the wrappers only fix the
// argument type so Swift can pass a @convention(c) closure.
static inline CURLcode recall_curl_setopt_xferinfo(CURL *handle, curl_xferinfo_callback value) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, value);
}

static inline CURLcode recall_curl_setopt_opensocket(CURL *handle, curl_opensocket_callback value) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, value);
}

static inline CURLcode recall_curl_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

// The address libcurl is about to connect to, as raw network-order bytes (4 for IPv4, 16 for
// IPv6). `struct curl_sockaddr` declares a 16-byte `struct sockaddr`, but libcurl stores a full
// sockaddr_in6 there; reading it in C avoids Swift reading past the imported field.
// Returns the number of bytes written to `out` (4 or 16), or 0 for any other family.
static inline int recall_curl_sockaddr_ip(const struct curl_sockaddr *address, unsigned char out[16]) {
    if (address->family == AF_INET && address->addrlen >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *v4 = (const struct sockaddr_in *)(const void *)&address->addr;
        memcpy(out, &v4->sin_addr, 4);
        return 4;
    }
    if (address->family == AF_INET6 && address->addrlen >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)(const void *)&address->addr;
        memcpy(out, &v6->sin6_addr, 16);
        return 16;
    }
    return 0;
}

#endif
