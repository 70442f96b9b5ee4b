/*
 * Steers the kernel's PACKET_FANOUT_FLAG_UNIQUEID counter so the next unique
 * fanout group id it hands out is 0, as on the first start after boot: the
 * case a daemon must not mistake for "no group".
 */
#ifndef UE_TESTS_FANOUT_ID_H
#define UE_TESTS_FANOUT_ID_H

/*
 * Call in a network namespace without fanout groups (ids are free per
 * namespace, the counter is global). 0 once the next unique id is 0, or
 * -errno. Another process taking a unique id in between moves it on again:
 * the caller checks the id it got.
 */
int fanout_next_unique_id_zero(void);

#endif
