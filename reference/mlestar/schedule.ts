/** Retraining schedules: five-field cron expressions (UTC) and the presets @hourly, @daily, @weekly, @monthly. */

const PRESETS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
};

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
] as const;

export interface CronSchedule {
  expression: string;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either one runs. */
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

/** Parses a cron expression; throws one line naming the expression and what is wrong. */
export function parseCron(expression: string): CronSchedule {
  const normalised = PRESETS[expression.trim()] ?? expression.trim();
  const parts = normalised.split(/\s+/);
  if (parts.length !== 5) {
    throw new Error(`retraining schedule "${expression}" must have 5 fields (minute hour day-of-month month day-of-week) or be one of ${Object.keys(PRESETS).join(', ')}`);
  }
  const sets = parts.map((part, index) => parseField(part, FIELDS[index], expression));
  // Cron accepts 7 as Sunday too.
  if (sets[4].delete(7)) sets[4].add(0);
  return {
    expression: expression.trim(),
    minutes: sets[0],
    hours: sets[1],
    daysOfMonth: sets[2],
    months: sets[3],
    daysOfWeek: sets[4],
    dayOfMonthRestricted: parts[2] !== '*',
    dayOfWeekRestricted: parts[4] !== '*',
  };
}

function parseField(text: string, field: (typeof FIELDS)[number], expression: string): Set<number> {
  const max = field.name === 'day of week' ? 7 : field.max;
  const values = new Set<number>();
  const fail = (why: string): never => {
    throw new Error(`retraining schedule "${expression}": ${field.name} "${text}" ${why}`);
  };
  for (const item of text.split(',')) {
    const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(item);
    if (!match) fail(`is not a number, range, list or step`);
    const [, range, stepText] = match as RegExpExecArray;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) fail('has a step below 1');
    let low: number = field.min;
    let high: number = max;
    if (range !== '*') {
      const [a, b] = range.split('-').map(Number);
      low = a;
      high = b ?? (stepText === undefined ? a : max);
    }
    if (low < field.min || high > max || low > high) fail(`must stay within ${field.min}-${max}`);
    for (let value = low; value <= high; value += step) values.add(value);
  }
  return values;
}

/** The next `count` run times strictly after `from`, in UTC. */
export function nextRuns(schedule: CronSchedule, from: Date, count: number): Date[] {
  const runs: Date[] = [];
  const cursor = new Date(from.getTime());
  cursor.setUTCSeconds(0, 0);
  cursor.setUTCMinutes(cursor.getUTCMinutes() + 1);
  // Five years of days bounds the search; every valid expression matches well within it.
  const limit = from.getTime() + 5 * 366 * 24 * 3600 * 1000;
  while (runs.length < count && cursor.getTime() <= limit) {
    if (!schedule.months.has(cursor.getUTCMonth() + 1) || !dayMatches(schedule, cursor)) {
      cursor.setUTCDate(cursor.getUTCDate() + 1);
      cursor.setUTCHours(0, 0, 0, 0);
      continue;
    }
    if (!schedule.hours.has(cursor.getUTCHours())) {
      cursor.setUTCHours(cursor.getUTCHours() + 1, 0, 0, 0);
      continue;
    }
    if (schedule.minutes.has(cursor.getUTCMinutes())) runs.push(new Date(cursor.getTime()));
    cursor.setUTCMinutes(cursor.getUTCMinutes() + 1);
  }
  return runs;
}

function dayMatches(schedule: CronSchedule, day: Date): boolean {
  const byMonthDay = schedule.daysOfMonth.has(day.getUTCDate());
  const byWeekDay = schedule.daysOfWeek.has(day.getUTCDay());
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return byMonthDay || byWeekDay;
  return byMonthDay && byWeekDay;
}
