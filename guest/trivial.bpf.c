// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* The boot check's payload: the smallest program the verifier must accept. No headers, so it
 * builds with any clang before the corpus include directory exists.
 */
__attribute__((section("socket"), used)) int trivial(void *skb)
{
	return 0;
}

__attribute__((section("license"), used)) char LICENSE[] = "GPL";
