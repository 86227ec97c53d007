// Timing samples for benchmark programs: the median of the first `count` values, sorted in
// place by insertion (no allocation, so threads may use it too).

export function medianOf(values: StaticArray<u64>, count: i32): u64 {
  for (let i = 1; i < count; i++) {
    const value = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] > value) { values[j + 1] = values[j]; j--; }
    values[j + 1] = value;
  }
  return values[count >> 1];
}
