/* Host driver for arch/x86_64/memory_plan.c (tests/host/memory-plan.test.ts): reads
 * "start length type" lines (hex or decimal) from stdin, plans with the heap range given on the
 * command line, and prints the plan as JSON; or, as `overlaps start length heap_start heap_end`,
 * prints whether a range overlaps the heap range; or, as `heapend heap_start limit -`, prints
 * the heap's end memory_plan_heap_end chooses for the ranges. The plan's JSON also carries
 * memory_plan_ram_below_4g's count (ramCounted), which must equal the plan's. Built with
 * AddressSanitizer and UBSan, so a read or write out of bounds in the planner fails the test. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "memory_plan.h"

int main(int argc, char** argv) {
  if (argc == 6 && argv[1][0] == 'o') {  /* overlaps start length heap_start heap_end */
    printf("%d\n", memory_plan_overlaps(strtoull(argv[2], 0, 0), strtoull(argv[3], 0, 0),
                                        strtoull(argv[4], 0, 0), strtoull(argv[5], 0, 0)));
    return 0;
  }
  if (argc == 5 && argv[1][0] == 'h') {  /* heapend heap_start limit < ranges: the heap's end */
    static struct memory_range ranges[4096];
    uint32_t count = 0;
    unsigned long long start, length;
    unsigned type;
    while (count < 4096 && scanf("%lli %lli %u", &start, &length, &type) == 3)
      ranges[count++] = (struct memory_range){start, length, type};
    uint64_t heap_start = strtoull(argv[2], 0, 0);
    printf("%" PRIu64 "\n", memory_plan_heap_end(ranges, count, heap_start, memory_plan_ram_below_4g(ranges, count),
                                                 strtoull(argv[3], 0, 0)));
    (void)argv[4];
    return 0;
  }
  if (argc != 3) {
    fprintf(stderr, "usage: %s heap_start heap_end < ranges\n", argv[0]);
    return 2;
  }
  static struct memory_range ranges[4096];
  uint32_t count = 0;
  unsigned long long start, length;
  unsigned type;
  while (count < 4096 && scanf("%lli %lli %u", &start, &length, &type) == 3)
    ranges[count++] = (struct memory_range){start, length, type};
  static struct memory_plan plan;
  enum memory_plan_result result = memory_plan_build(ranges, count, strtoull(argv[1], 0, 0), strtoull(argv[2], 0, 0), &plan);
  printf("{\"result\":%d,\"pages\":%u,\"size\":%u,\"ramBelow4G\":%" PRIu64 ",\"ramAbove4G\":%" PRIu64
         ",\"ramCounted\":%" PRIu64 ",\"rangesDropped\":%u,\"edgeChunksDropped\":%u,\"chunks\":\"",
         result, plan.pages, plan.size, plan.ram_below_4g, plan.ram_above_4g, memory_plan_ram_below_4g(ranges, count), plan.ranges_dropped, plan.edge_chunks_dropped);
  for (int chunk = 0; chunk < MEMORY_PLAN_CHUNKS; chunk++) putchar("-HE"[plan.chunk[chunk]]);
  printf("\",\"edges\":{");
  for (uint32_t slot = 0; slot < plan.edge_count; slot++) {
    printf("%s\"%u\":\"", slot ? "," : "", plan.edge_chunk_index[slot]);
    for (int page = 0; page < 512; page++) putchar(plan.edge_page_mapped[slot][page] ? '1' : '0');
    putchar('"');
  }
  printf("}}\n");
  return 0;
}
