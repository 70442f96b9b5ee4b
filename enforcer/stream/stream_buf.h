/*
 * The lazily allocated buffer the stream parsers (http.c, tls.c) keep only
 * while a request head or ClientHello is split across segments: a pointer
 * and two 32-bit sizes, embedded in each flow's parser state.
 */
#ifndef UE_STREAM_BUF_H
#define UE_STREAM_BUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Appends DATA[0..N) to *BUF (*LEN bytes used of *CAP allocated), growing it
 * by doubling from 512 bytes, never beyond MAX (the caller keeps *LEN + N
 * within MAX). Returns 0 or -ENOMEM (the buffer is then unchanged).
 */
int stream_buf_append(uint8_t **buf, uint32_t *len, uint32_t *cap, const uint8_t *data,
		      size_t n, size_t max);

/* Frees the buffer; sizes back to 0. */
void stream_buf_free(uint8_t **buf, uint32_t *len, uint32_t *cap);

#endif
