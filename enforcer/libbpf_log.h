/*
 * libbpf's own messages through log.h, one level quieter than libbpf rates
 * them: its warnings (a verifier rejection among them) as log_info, its
 * information as log_debug (-v), its debug output never.
 */
#ifndef UE_LIBBPF_LOG_H
#define UE_LIBBPF_LOG_H

void libbpf_log_init(void);

#endif
