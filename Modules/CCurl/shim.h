// libcurl 7.88 from Debian 12 (libcurl4-openssl-dev).
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: each argument
// type gets a typed wrapper here.
#ifndef RECALL_CCURL_SHIM_H
#define RECALL_CCURL_SHIM_H

#include <curl/curl.h>

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

#endif
