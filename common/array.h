/*
 * Arrays that only ever grow by appending: the capacity is implied by the
 * count (the next power of two), so no field has to carry it and N appends
 * cost O(N) copies in all.
 */
#ifndef UE_POLICY_ARRAY_H
#define UE_POLICY_ARRAY_H

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Appends ELEM (SIZE bytes) to the array *ARRP (any T *) of *N elements.
 * 0 or -ENOMEM. */
static inline int array_append(void *arrp, unsigned *n, const void *elem, size_t size)
{
	void *arr;

	memcpy(&arr, arrp, sizeof(arr));
	if (*n == UINT_MAX)
		return -ENOMEM;
	if (!(*n & (*n - 1))) {     /* 0 or a power of two: full */
		void *grown = realloc(arr, (*n ? (size_t)*n * 2 : 1) * size);

		if (!grown)
			return -ENOMEM;
		arr = grown;
		memcpy(arrp, &arr, sizeof(arr));
	}
	memcpy((char *)arr + (size_t)*n * size, elem, size);
	(*n)++;
	return 0;
}

#endif
