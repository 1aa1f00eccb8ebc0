/*
 * recovery.h - exercise "recovery": when a consumer dies, its entries are not
 * lost, and the live consumers take them over - each one exactly once.
 *
 * An entry read with XREADGROUP ... > stays pending for the consumer that
 * read it until that consumer sends XACK. If the consumer crashes first, the
 * entry waits in the group's pending entries list (XPENDING shows it) and
 * nobody else is given it by ">". Two ways out:
 *
 *   - the consumer comes back under the same name and reads its own pending
 *     entries with the id "0" instead of ">" (recover_own);
 *   - another consumer claims entries that have been pending longer than some
 *     idle time with XAUTOCLAIM (recover_claim). Claiming makes the claimer
 *     the new owner and resets the entry's idle time, so a second claimer
 *     running at the same moment does not get it too. The idle time is how
 *     long a consumer may work on an entry before the others consider it dead:
 *     choose it well above your longest handling time.
 *
 * XAUTOCLAIM STREAM GROUP CONSUMER MIN-IDLE-MS START COUNT N answers (Redis 7)
 *   [NEXT-START, [[ID, [FIELD, VALUE, ...]], ...], [DELETED-ID, ...]]
 * Call it again with NEXT-START until that is "0-0": one call looks at a
 * limited part of the pending list. Entries deleted from the stream while
 * pending come back in the third element only, and are dropped from the
 * pending list.
 */
#ifndef RECOVERY_H
#define RECOVERY_H

#include "streams.h"

/* Claims, as consumer, every entry of group pending longer than min_idle_ms
 * (XAUTOCLAIM, count entries per call, following the cursor until "0-0"),
 * hands each to handler and XACKs those it accepted (group_handle_entries).
 * Returns the number handled and acked, or -1 with link->error set: no such
 * stream or group (the error names it), a lost connection, a malformed
 * reply. Entries pending for less than min_idle_ms are left alone. */
int recover_claim(struct redis_link *link, const char *stream, const char *group,
                  const char *consumer, long min_idle_ms, int count, entry_handler handler,
                  void *user);

/* After a restart under the same consumer name: reads this consumer's own
 * pending entries (XREADGROUP ... STREAMS stream 0, count per read, until a
 * read returns none) and handles them like group_read. Returns the number
 * handled and acked, or -1 with link->error set. An entry the handler
 * refuses stays pending; reading goes on after it. */
int recover_own(struct redis_link *link, const char *stream, const char *group,
                const char *consumer, int count, entry_handler handler, void *user);

#endif
