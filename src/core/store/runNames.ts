import crypto from 'node:crypto';

const ADJECTIVES = [
  'amazing', 'ambitious', 'auspicious', 'awesome', 'bemused', 'bold', 'brave', 'bright', 'calm', 'capable',
  'casual', 'charming', 'classy', 'clean', 'clever', 'crisp', 'curious', 'dapper', 'daring', 'delightful',
  'dreamy', 'eager', 'efficient', 'elegant', 'enchanting', 'fearless', 'fun', 'funny', 'gentle', 'gifted',
  'glamorous', 'gregarious', 'handsome', 'honorable', 'hilarious', 'inquisitive', 'intelligent', 'judicious',
  'kindly', 'likeable', 'lively', 'loud', 'luminous', 'lyrical', 'magnificent', 'merciful', 'mercurial',
  'nebulous', 'nimble', 'orderly', 'placid', 'polite', 'powerful', 'puzzled', 'quirky', 'rambunctious',
  'redolent', 'resilient', 'righteous', 'rogue', 'rumbling', 'salty', 'secretive', 'selective', 'sedate',
  'serious', 'shivering', 'silent', 'sincere', 'skillful', 'smiling', 'spiffy', 'stately', 'suave', 'swift',
  'tasteful', 'thoughtful', 'tranquil', 'unequaled', 'upbeat', 'valuable', 'vaunted', 'victorious', 'welcoming',
  'whimsical', 'wise', 'witty', 'wistful', 'youthful', 'zealous',
];

const NOUNS = [
  'ant', 'ape', 'asp', 'auk', 'bass', 'bat', 'bear', 'bee', 'bird', 'boar', 'bug', 'calf', 'carp', 'cat', 'chimp',
  'cod', 'colt', 'conch', 'cow', 'crab', 'crane', 'croc', 'crow', 'cub', 'deer', 'doe', 'dog', 'dolphin', 'donkey',
  'dove', 'duck', 'eel', 'elk', 'fawn', 'finch', 'fish', 'flea', 'fly', 'foal', 'fowl', 'fox', 'frog', 'gnat',
  'gnu', 'goat', 'goose', 'grouse', 'grub', 'gull', 'hare', 'hawk', 'hen', 'hog', 'horse', 'hound', 'jay', 'kit',
  'kite', 'koi', 'lamb', 'lark', 'loon', 'lynx', 'mare', 'midge', 'mink', 'mole', 'moose', 'moth', 'mouse', 'mule',
  'newt', 'owl', 'ox', 'panda', 'penguin', 'perch', 'pig', 'pug', 'quail', 'ram', 'rat', 'ray', 'robin', 'roo',
  'rook', 'seal', 'shad', 'shark', 'sheep', 'shoat', 'shrew', 'shrike', 'shrimp', 'skink', 'skunk', 'sloth',
  'slug', 'smelt', 'snail', 'snake', 'snipe', 'sow', 'sponge', 'squid', 'stag', 'steed', 'stoat', 'stork', 'swan',
  'tern', 'toad', 'trout', 'turtle', 'vole', 'wasp', 'whale', 'wolf', 'worm', 'wren', 'yak', 'zebra',
];

/** A memorable run name in MLflow's style: `adjective-noun-NN`, e.g. `rambunctious-fly-68`. */
export function generateRunName(): string {
  const adjective = ADJECTIVES[crypto.randomInt(ADJECTIVES.length)];
  const noun = NOUNS[crypto.randomInt(NOUNS.length)];
  return `${adjective}-${noun}-${crypto.randomInt(1, 1000)}`;
}

/** A new run id: 32 lowercase hex characters (a UUID4 without dashes, as MLflow makes them). */
export function generateRunId(): string {
  return crypto.randomUUID().replace(/-/g, '');
}
