import type { RewardType } from '../../model/reward.ts';
import type { Role, Tier } from '../../model/common.ts';

// The fixed material of the demo café: names, menu, notes, rewards, stores and staff. Persian text is
// written in Persian script; each Persian name carries a transliteration for e-mail addresses and for the
// customers whose name was typed in Latin letters.

/** A name in Persian script and its usual Latin spelling. */
export type NamePair = readonly [persian: string, latin: string];

/** 60 Persian given names. */
export const FIRST_NAMES: readonly NamePair[] = [
  ['علی', 'Ali'], ['محمد', 'Mohammad'], ['حسین', 'Hossein'], ['رضا', 'Reza'], ['مهدی', 'Mehdi'],
  ['امیر', 'Amir'], ['حمید', 'Hamid'], ['سعید', 'Saeed'], ['مجید', 'Majid'], ['احمد', 'Ahmad'],
  ['مصطفی', 'Mostafa'], ['جواد', 'Javad'], ['کامران', 'Kamran'], ['بهرام', 'Bahram'], ['داریوش', 'Dariush'],
  ['کوروش', 'Kourosh'], ['آرش', 'Arash'], ['بابک', 'Babak'], ['پویا', 'Pouya'], ['سینا', 'Sina'],
  ['میلاد', 'Milad'], ['نیما', 'Nima'], ['فرهاد', 'Farhad'], ['پیمان', 'Peyman'], ['امید', 'Omid'],
  ['یاسین', 'Yasin'], ['آرمان', 'Arman'], ['بهزاد', 'Behzad'], ['شهاب', 'Shahab'], ['ایمان', 'Iman'],
  ['مریم', 'Maryam'], ['زهرا', 'Zahra'], ['فاطمه', 'Fatemeh'], ['سارا', 'Sara'], ['نرگس', 'Narges'],
  ['لیلا', 'Leila'], ['مینا', 'Mina'], ['شیرین', 'Shirin'], ['نازنین', 'Nazanin'], ['الهام', 'Elham'],
  ['پریسا', 'Parisa'], ['نسرین', 'Nasrin'], ['سمیرا', 'Samira'], ['مهسا', 'Mahsa'], ['یاسمن', 'Yasaman'],
  ['آزاده', 'Azadeh'], ['بهاره', 'Bahareh'], ['ترانه', 'Taraneh'], ['هستی', 'Hasti'], ['نگار', 'Negar'],
  ['رها', 'Raha'], ['کیمیا', 'Kimia'], ['شقایق', 'Shaghayegh'], ['فرشته', 'Fereshteh'], ['زهرا‌سادات', 'Zahrasadat'],
  ['مهناز', 'Mahnaz'], ['ستاره', 'Setareh'], ['آیدا', 'Aida'], ['الناز', 'Elnaz'], ['پرستو', 'Parastoo'],
];

/** 62 Persian family names (some with a zero-width non-joiner, as Persian keyboards write them). */
export const FAMILY_NAMES: readonly NamePair[] = [
  ['محمدی', 'Mohammadi'], ['حسینی', 'Hosseini'], ['احمدی', 'Ahmadi'], ['رضایی', 'Rezaei'], ['کریمی', 'Karimi'],
  ['موسوی', 'Mousavi'], ['جعفری', 'Jafari'], ['صادقی', 'Sadeghi'], ['رحیمی', 'Rahimi'], ['کاظمی', 'Kazemi'],
  ['هاشمی', 'Hashemi'], ['قاسمی', 'Ghasemi'], ['ابراهیمی', 'Ebrahimi'], ['نوری', 'Nouri'], ['عباسی', 'Abbasi'],
  ['مرادی', 'Moradi'], ['اکبری', 'Akbari'], ['صالحی', 'Salehi'], ['یوسفی', 'Yousefi'], ['امینی', 'Amini'],
  ['شریفی', 'Sharifi'], ['طاهری', 'Taheri'], ['بهرامی', 'Bahrami'], ['نجفی', 'Najafi'], ['زمانی', 'Zamani'],
  ['سلیمانی', 'Soleimani'], ['فرهادی', 'Farhadi'], ['کامرانی', 'Kamrani'], ['ملکی', 'Maleki'], ['عسگری', 'Asgari'],
  ['حیدری', 'Heydari'], ['خلیلی', 'Khalili'], ['یزدانی', 'Yazdani'], ['شجاعی', 'Shojaei'], ['اصفهانی', 'Esfahani'],
  ['تهرانی', 'Tehrani'], ['شیرازی', 'Shirazi'], ['تبریزی', 'Tabrizi'], ['کرمانی', 'Kermani'], ['رشتی', 'Rashti'],
  ['قزوینی', 'Ghazvini'], ['میرزایی', 'Mirzaei'], ['نیک‌نام', 'Niknam'], ['علی‌زاده', 'Alizadeh'], ['پاکزاد', 'Pakzad'],
  ['آزادی', 'Azadi'], ['فروتن', 'Foroutan'], ['سپهری', 'Sepehri'], ['خسروی', 'Khosravi'], ['افشار', 'Afshar'],
  ['نادری', 'Naderi'], ['وحیدی', 'Vahidi'], ['جهانگیری', 'Jahangiri'], ['منصوری', 'Mansouri'], ['رستمی', 'Rostami'],
  ['اسدی', 'Asadi'], ['قربانی', 'Ghorbani'], ['فتحی', 'Fathi'], ['پارسا', 'Parsa'], ['حسن‌پور', 'Hassanpour'],
  ['کیانی', 'Kiani'], ['دهقان', 'Dehghan'],
];

/** Given names of customers from abroad (the Latin-script minority besides transliterated Persian names). */
export const LATIN_FIRST_NAMES: readonly string[] = [
  'John', 'Emma', 'Liam', 'Olivia', 'Lukas', 'Anna', 'Omar', 'Fatima', 'Daniel', 'Sophie', 'Ahmed', 'Laura',
  'Marco', 'Elena', 'David', 'Chloé', 'Jonas',
];

/** Family names of customers from abroad (accents on purpose: the name key folds them). */
export const LATIN_FAMILY_NAMES: readonly string[] = [
  'Smith', 'Miller', 'Schmidt', 'Müller', 'Al Mansouri', 'Khan', 'Rossi', 'Dubois', 'Brown', 'Wilson', 'Becker',
  'Haddad', 'Novák', 'García', 'Silva', 'Jensen',
];

/** One line of the café menu; prices in IRR (minor units = rials). */
export interface MenuItem {
  name: string;
  price: number;
  kind: 'coffee' | 'tea' | 'cold' | 'food';
}

/** A small Persian café menu. */
export const MENU: readonly MenuItem[] = [
  { name: 'اسپرسو', price: 95_000, kind: 'coffee' },
  { name: 'آمریکانو', price: 110_000, kind: 'coffee' },
  { name: 'کاپوچینو', price: 150_000, kind: 'coffee' },
  { name: 'لاته', price: 165_000, kind: 'coffee' },
  { name: 'موکا', price: 180_000, kind: 'coffee' },
  { name: 'قهوه ترک', price: 120_000, kind: 'coffee' },
  { name: 'چای ماسالا', price: 140_000, kind: 'tea' },
  { name: 'چای زعفرانی', price: 130_000, kind: 'tea' },
  { name: 'دمنوش به‌لیمو', price: 90_000, kind: 'tea' },
  { name: 'هات چاکلت', price: 170_000, kind: 'tea' },
  { name: 'آیس لاته', price: 185_000, kind: 'cold' },
  { name: 'آب پرتقال طبیعی', price: 200_000, kind: 'cold' },
  { name: 'شیک شکلات', price: 260_000, kind: 'cold' },
  { name: 'کروسان', price: 120_000, kind: 'food' },
  { name: 'کیک شکلاتی', price: 210_000, kind: 'food' },
  { name: 'چیزکیک', price: 240_000, kind: 'food' },
  { name: 'کیک هویج و گردو', price: 220_000, kind: 'food' },
  { name: 'ساندویچ مرغ', price: 320_000, kind: 'food' },
  { name: 'سالاد سزار', price: 380_000, kind: 'food' },
  { name: 'املت', price: 250_000, kind: 'food' },
];

/** Allergies the counter records (nuts and lactose are the common ones). */
export const ALLERGIES: readonly (readonly [string, number])[] = [
  ['آجیل', 0.04],
  ['لاکتوز', 0.07],
  ['گلوتن', 0.02],
];

/** Customer notes in Persian, as cashiers write them. */
export const NOTES_FA: readonly string[] = [
  'لاته را با شیر بادام می‌خواهد.',
  'قهوه را کم‌شیرین دوست دارد.',
  'معمولاً با لپ‌تاپ می‌آید؛ میز کنار پریز.',
  'تولدش را تبریک بگوییم، دفعه قبل خیلی خوشحال شد.',
  'اسپرسو دوبل، بدون شکر.',
  'همکار شرکت روبه‌رو؛ سفارش گروهی ظهرها.',
  'چای را پررنگ می‌خواهد.',
  'به آجیل حساسیت شدید دارد — حتماً چک شود.',
  'دانشجوی دانشگاه تهران، کارت دانشجویی دارد.',
  'کیک را برای بیرون می‌برد.',
];

/** Customer notes in English, for customers whose details were typed in Latin letters. */
export const NOTES_EN: readonly string[] = [
  'Oat milk in every coffee.',
  'Extra hot, no foam.',
  'Visiting from abroad twice a year.',
  'Prefers the window table.',
  'Decaf after 4 pm.',
];

/** Tags the café uses. */
export const TAGS = { vip: 'VIP', student: 'دانشجو', office: 'همکار همسایه', takeaway: 'بیرون‌بر' } as const;

/** Feedback comments on visits. */
export const FEEDBACK_FA: readonly string[] = ['عالی بود', 'قهوه کمی سرد بود', 'برخورد خیلی خوب', 'کیک تازه بود', 'شلوغ بود ولی سریع', ''];

/** The demo rewards catalog. */
export interface RewardSpec {
  key: string;
  name: string;
  description: string;
  pointsCost: number;
  value: number;
  /** What it does to a sale; a free item names the menu item it hands over. */
  type: RewardType;
  itemName: string;
  stock: number | null;
  minTier: Tier | null;
}

/** Five rewards, cheapest first. */
export const REWARDS: readonly RewardSpec[] = [
  { key: 'espresso', name: 'اسپرسو رایگان', description: 'یک اسپرسوی تک یا دوبل، مهمان ما.', pointsCost: 1_000, value: 95_000, type: 'freeItem', itemName: 'اسپرسو', stock: null, minTier: null },
  { key: 'latte', name: 'لاته رایگان', description: 'هر نوع لاته، گرم یا سرد.', pointsCost: 1_600, value: 185_000, type: 'freeItem', itemName: 'لاته', stock: null, minTier: null },
  { key: 'cake', name: 'برش کیک به انتخاب شما', description: 'چیزکیک، کیک شکلاتی یا کیک هویج.', pointsCost: 2_200, value: 240_000, type: 'freeItem', itemName: 'چیزکیک', stock: null, minTier: null },
  { key: 'voucher', name: 'بن خرید ۵۰۰ هزار ریالی', description: 'برای یک خرید، بدون باقی‌مانده.', pointsCost: 4_500, value: 500_000, type: 'amountOff', itemName: '', stock: null, minTier: 'silver' },
  { key: 'mug', name: 'ماگ سرامیکی کافه پاترون', description: 'ماگ دست‌ساز با لوگوی کافه؛ تعداد محدود.', pointsCost: 9_000, value: 1_200_000, type: 'freeItem', itemName: 'ماگ سرامیکی', stock: 40, minTier: 'gold' },
];

/** The demo stores. */
export const STORES = [
  { key: 'valiasr', name: 'کافه پاترون — ولیعصر', address: 'تهران، خیابان ولیعصر، بالاتر از پارک ساعی، پلاک ۱۲۴۰' },
  { key: 'tajrish', name: 'کافه پاترون — تجریش', address: 'تهران، میدان تجریش، خیابان فنائیان، پلاک ۱۸' },
] as const;

/** A demo staff member; `store` is the index of the only store they work at, or null for every store. */
export interface StaffSpec {
  key: string;
  name: string;
  role: Role;
  pin: string;
  store: number | null;
}

/**
 * The demo staff. Their PINs are fixed and printed to the operator by `start` and `demo`: the server keeps
 * only argon2id hashes, so a later run could not print a generated PIN again. Demo data only.
 */
export const STAFF: readonly StaffSpec[] = [
  { key: 'owner', name: 'نسرین کریمی', role: 'owner', pin: '258025', store: null },
  { key: 'manager', name: 'رضا احمدی', role: 'manager', pin: '135713', store: null },
  { key: 'cashier-valiasr', name: 'سارا محمدی', role: 'cashier', pin: '1111', store: 0 },
  { key: 'cashier-tajrish', name: 'Arash Niknam', role: 'cashier', pin: '2222', store: 1 },
];
