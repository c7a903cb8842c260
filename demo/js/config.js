/**
 * The Meridian's Attune configuration: shared by the pages (ES module and <script> include)
 * and by scripts/demo-site.mjs, which writes one segments/<label>.json per label at `make site`.
 * Plain data only: this module must also load under Node.
 */

/** What a visitor can declare about themselves (the onboarding and settings controls). */
export const TRAITS = {
  reader: {
    question: 'How do you like your news?',
    values: {
      headlines: { label: 'Quick headlines', hint: 'Short briefings, read on the go' },
      explainers: { label: 'Explain it to me', hint: 'Background and plain-English guides' },
      analysis: { label: 'The deep read', hint: 'Analysis and long reads' },
    },
  },
  edition: {
    question: 'Your edition',
    values: {
      europe: { label: 'Europe' },
      americas: { label: 'Americas' },
      asia: { label: 'Asia-Pacific' },
    },
  },
};

/**
 * The levels in order, with the names the site shows.  What each one keeps is not written here:
 * the privacy panel shows what the engine itself reports (privacyReport().storedByLevel).
 */
export const LEVELS = [
  { level: 'none', name: 'Off' },
  { level: 'segment', name: 'Segment' },
  { level: 'behavioral', name: 'Behavioral' },
  { level: 'contextual', name: 'Contextual' },
  { level: 'individual', name: 'Individual' },
];

/** Readers like you: shown as the heading of the segment's picks. */
export const SEGMENT_COPY = {
  'asia-analysts': 'Long reads from the Asia-Pacific desk',
  analysts: 'The deep read',
  learners: 'Explained',
  skimmers: 'In brief',
  'europe-desk': 'From the Europe desk',
  'americas-desk': 'From the Americas desk',
  regulars: 'For our regulars',
  general: "Today's top stories",
};

export const CONFIG = {
  privacyLevel: 'behavioral',
  history: { size: 100, retentionDays: 30, halfLifeDays: 7 },
  traits: Object.fromEntries(Object.entries(TRAITS).map(([name, t]) => [name, Object.keys(t.values)])),
  /* first match wins */
  segments: [
    { label: 'asia-analysts', when: { reader: ['analysis'], edition: ['asia'] },
      boost: { tags: { analysis: 0.5, advanced: 0.3, asia: 0.6 } } },
    { label: 'analysts', when: { reader: ['analysis'] }, boost: { tags: { analysis: 0.6, advanced: 0.4, opinion: 0.2 } } },
    { label: 'learners', when: { reader: ['explainers'] }, boost: { tags: { explainer: 0.7, basics: 0.5 } } },
    { label: 'skimmers', when: { reader: ['headlines'] }, boost: { tags: { briefing: 0.8, basics: 0.2 } } },
    { label: 'europe-desk', when: { edition: ['europe'] }, boost: { tags: { europe: 0.7, diplomacy: 0.2 } } },
    { label: 'americas-desk', when: { edition: ['americas'] }, boost: { tags: { americas: 0.7, markets: 0.2 } } },
    { label: 'regulars', when: { usage: ['regular', 'heavy'] }, boost: { tags: { analysis: 0.3, briefing: 0.3 } } },
  ],
  defaultSegment: 'general',
  context: {
    rules: [
      { when: { daypart: ['morning'] }, boost: { tags: { briefing: 0.4 } } },
      { when: { daypart: ['evening', 'night'] }, boost: { tags: { analysis: 0.3, opinion: 0.2 }, categories: { culture: 0.2 } } },
      { when: { weekday: ['weekend'] }, boost: { categories: { sport: 0.3, culture: 0.2 } } },
      { when: { device: ['mobile'] }, boost: { tags: { briefing: 0.3, basics: 0.2 } } },
    ],
  },
  /* readers per label, as the newsroom publishes them; a label shared by fewer than k readers
     is reported as the default label */
  label: {
    k: 50,
    populations: {
      'asia-analysts': 31, analysts: 2400, learners: 3100, skimmers: 5200, 'europe-desk': 1800,
      'americas-desk': 1500, regulars: 900, general: 21000,
    },
    randomRate: 0.05,
    epochDays: 7,
  },
  ranking: { maxPerCategory: 3, diversity: 0.2, excludeSeen: true },
  sensitiveTags: ['health'],
  editorial: {
    pins: [
      { item: 'tech-0013', position: 3 },
      { item: 'science-0028', position: 2, segment: 'learners' },
    ],
  },
};

/** Every label the site may be sent: one static file each. */
export const LABELS = [...CONFIG.segments.map((s) => s.label), CONFIG.defaultSegment];
