/* ASCII case folding, the only folding PCRE2 does without UTF or locale
 * tables: every caseless comparison of the policy code goes through it. */
#ifndef UE_POLICY_ASCII_H
#define UE_POLICY_ASCII_H

static inline unsigned char ascii_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

#endif
