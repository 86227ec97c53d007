// The fault device's settings (fault.ts), from the command line's `netfault=`: comma-separated
// `name:value` pairs, every one optional:
//   loss:P  dup:P  reorder:P  corrupt:P   percentages of frames, each direction apart (0-100,
//                                         up to two decimals: "0.5")
//   rate:N                                frames a second, each direction apart (1-1000000)
//   seed:N                                the generator's seed (decimal, up to 18 digits);
//                                         without it phy.ts takes one from the TSC and logs it
// e.g. netfault=loss:5,dup:1,reorder:2,corrupt:1,rate:1000,seed:42. Anything else refuses the
// whole setting (the reason logged), so a typo never runs a test without the faults it asked for.

/** Percentages are kept in hundredths of a percent (basis points): 10,000 is every frame. */
export const BASIS_POINTS: u32 = 10_000;
const RATE_MAXIMUM: u32 = 1_000_000;

export class FaultConfig {
  /** Each in basis points. */
  loss: u32 = 0;
  duplicate: u32 = 0;
  reorder: u32 = 0;
  corrupt: u32 = 0;
  /** Frames a second in each direction; 0: no limit. */
  rate: u32 = 0;
  seed: u64 = 0;
  seedGiven: bool = false;
  /** Why the text was refused; "" when it was not. */
  problem: string = "";

  /** The settings `text` gives, or a FaultConfig whose `problem` says what is wrong. */
  static parse(text: string): FaultConfig {
    const config = new FaultConfig();
    const pairs = text.split(",");
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i];
      const colon = pair.indexOf(":");
      const name = colon < 0 ? pair : pair.substring(0, colon), value = colon < 0 ? "" : pair.substring(colon + 1);
      if (name == "seed") {
        const seed = parseWhole(value, 18);
        if (seed < 0) return config.refuse("seed:" + value + " is not a decimal number of 1 to 18 digits");
        config.seed = <u64>seed;
        config.seedGiven = true;
      } else if (name == "rate") {
        const rate = parseWhole(value, 7);
        if (rate < 1 || rate > <i64>RATE_MAXIMUM) return config.refuse("rate:" + value + " is not a whole number of frames a second from 1 to 1000000");
        config.rate = <u32>rate;
      } else {
        const share = parsePercent(value);
        if (share < 0) return config.refuse(pair + " is not a percentage from 0 to 100 (two decimals at most)");
        if (name == "loss") config.loss = <u32>share;
        else if (name == "dup") config.duplicate = <u32>share;
        else if (name == "reorder") config.reorder = <u32>share;
        else if (name == "corrupt") config.corrupt = <u32>share;
        else return config.refuse(name + " is not one of loss, dup, reorder, corrupt, rate, seed");
      }
    }
    return config;
  }

  private refuse(problem: string): FaultConfig {
    this.problem = problem;
    return this;
  }

  /** "loss 5%, dup 1%, reorder 2%, corrupt 1%, rate 1000/s, seed 42" (the settings not zero). */
  text(): string {
    let text = "loss " + percentText(this.loss) + ", dup " + percentText(this.duplicate) + ", reorder " + percentText(this.reorder)
      + ", corrupt " + percentText(this.corrupt);
    text += this.rate != 0 ? ", rate " + this.rate.toString() + "/s" : ", no rate limit";
    return text + ", seed " + this.seed.toString();
  }
}

/** A whole decimal of 1 to `digits` digits, or -1. */
function parseWhole(text: string, digits: i32): i64 {
  if (text.length == 0 || text.length > digits) return -1;
  let value: i64 = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** "5", "0.5", "12.25" as basis points (500, 50, 1225); -1 when not a percentage of 0-100. */
function parsePercent(text: string): i64 {
  const dot = text.indexOf(".");
  const whole = parseWhole(dot < 0 ? text : text.substring(0, dot), 3);
  if (whole < 0) return -1;
  let fraction: i64 = 0;
  if (dot >= 0) {
    const decimals = text.substring(dot + 1);
    fraction = parseWhole(decimals, 2);
    if (fraction < 0) return -1;
    if (decimals.length == 1) fraction *= 10;
  }
  const value = whole * 100 + fraction;
  return value <= <i64>BASIS_POINTS ? value : -1;
}

function percentText(basisPoints: u32): string {
  const hundredths = basisPoints % 100;
  const decimals = hundredths == 0 ? "" : hundredths % 10 == 0 ? "." + (hundredths / 10).toString()
    : "." + (hundredths < 10 ? "0" : "") + hundredths.toString();
  return (basisPoints / 100).toString() + decimals + "%";
}
