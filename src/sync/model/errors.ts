/** Machine-readable error codes with their English and Persian messages (seed 001's error shape). */
export const ERRORS = {
  INVALID_PHONE_FORMAT: ['Invalid phone number format', 'فرمت شماره تلفن نامعتبر است'],
  INVALID_NAME: ['Name must be 3 to 100 characters', 'نام باید بین ۳ تا ۱۰۰ نویسه باشد'],
  INVALID_EMAIL: ['Invalid email address', 'نشانی ایمیل نامعتبر است'],
  INVALID_DATE: ['Invalid date', 'تاریخ نامعتبر است'],
  CUSTOMER_NOT_FOUND: ['Customer not found', 'مشتری یافت نشد'],
  CUSTOMER_ALREADY_EXISTS: ['A customer with this phone number already exists', 'مشتری با این شماره قبلا ثبت شده'],
  INSUFFICIENT_POINTS: ['Not enough points', 'امتیاز کافی برای استفاده موجود نیست'],
  OFFLINE_REDEEM_CAP: ['Offline redemption limit reached', 'سقف استفاده از امتیاز در حالت آفلاین پر شده است'],
  OFFLINE_DATA_TOO_OLD: ['Local data is too old to redeem offline', 'داده‌های محلی برای استفاده آفلاین از امتیاز قدیمی است'],
  VALIDATION_FAILED: ['The request is not valid', 'درخواست معتبر نیست'],
  UNKNOWN_FIELD: ['The request contains an unknown field', 'درخواست شامل فیلد ناشناخته است'],
  PAYLOAD_TOO_LARGE: ['The request is too large', 'درخواست بیش از حد بزرگ است'],
  RATE_LIMIT_EXCEEDED: ['Too many requests', 'تعداد درخواست‌ها از حد مجاز تجاوز کرده'],
  UNAUTHORIZED: ['Not signed in or the token is not valid', 'احراز هویت نامعتبر است'],
  FORBIDDEN: ['Your role does not allow this', 'نقش شما اجازه این کار را نمی‌دهد'],
  TERMINAL_REVOKED: ['This terminal has been revoked', 'این پایانه لغو شده است'],
  ENROLMENT_CODE_INVALID: ['The enrolment code is invalid, used or expired', 'کد ثبت پایانه نامعتبر، استفاده‌شده یا منقضی است'],
  PIN_INVALID: ['Wrong PIN', 'رمز اشتباه است'],
  PIN_LOCKED: ['Too many wrong PINs; try again later', 'تعداد تلاش‌های ناموفق زیاد است؛ بعدا تلاش کنید'],
  PROTOCOL_OUTDATED: ['This app is out of date; please update it', 'این برنامه قدیمی است؛ لطفا آن را به‌روز کنید'],
  NOT_FOUND: ['Not found', 'یافت نشد'],
  DATABASE_UNAVAILABLE: ['The database is not reachable; try again shortly', 'پایگاه داده در دسترس نیست؛ کمی بعد تلاش کنید'],
  DATABASE_BUSY: ['The database is busy with another write of this business; try again shortly', 'پایگاه داده مشغول نوشتن دیگری برای این کسب‌وکار است؛ کمی بعد تلاش کنید'],
  DISK_FULL: ['The server is out of disk space; try again later', 'فضای دیسک سرور پر است؛ بعدا تلاش کنید'],
  DATABASE_DAMAGED: ['The server database is damaged and must be restored by its operator', 'پایگاه داده سرور آسیب دیده است و باید به دست مدیر سرور بازیابی شود'],
  SHUTTING_DOWN: ['The server is shutting down; try again shortly', 'سرور در حال خاموش شدن است؛ کمی بعد تلاش کنید'],
  CHECKPOINT_TOO_OLD: ['This device is further behind than the server keeps history for; a full resync is needed', 'این دستگاه از تاریخچه‌ای که سرور نگه می‌دارد عقب‌تر است؛ همگام‌سازی کامل لازم است'],
  INTERNAL: ['Something went wrong on the server', 'خطایی در سرور رخ داد'],
  APPROVAL_REQUIRED: ['A manager must approve this with their PIN', 'این کار باید با رمز یک مدیر تأیید شود'],
  NOT_SIGNED_IN: ['Sign in with your PIN first', 'ابتدا با رمز خود وارد شوید'],
  CUSTOMER_BLOCKED: ['This customer is blocked: no points can be earned or redeemed', 'این مشتری مسدود است: امتیازی کسب یا استفاده نمی‌شود'],
  ALREADY_VOIDED: ['This visit was already voided', 'این مراجعه قبلا باطل شده است'],
  ALREADY_REVERSED: ['This was already undone', 'این مورد قبلا برگردانده شده است'],
  REWARD_UNAVAILABLE: ['This reward cannot be redeemed now', 'این جایزه اکنون قابل استفاده نیست'],
  REWARD_NOT_APPLICABLE: ['This reward does not fit this sale', 'این جایزه با این فروش جور نیست'],
  NOT_SYNCED: ['The settings have not arrived from the server yet; try again after the first sync', 'تنظیمات هنوز از سرور نرسیده است؛ پس از نخستین همگام‌سازی دوباره تلاش کنید'],
  WRITE_FAILED: ['The change could not be saved on this device', 'تغییر روی این دستگاه ذخیره نشد'],
  SAME_CUSTOMER: ['Choose two different customers', 'دو مشتری متفاوت انتخاب کنید'],
  ALREADY_MERGED: ['This customer is already merged into another', 'این مشتری قبلا با مشتری دیگری ادغام شده است'],
  MERGE_CYCLE: ['That merge would make a loop', 'این ادغام یک حلقه می‌سازد'],
  NOT_OVERDRAWN: ['The balance is no longer negative', 'مانده دیگر منفی نیست'],
  NOT_RESTORABLE: ['That value cannot be restored', 'این مقدار قابل بازگردانی نیست'],
  STAFF_KEY_MISSING: ["This member's signing key has not reached this device yet; connect to the server and try again", 'کلید امضای این کارمند هنوز به این دستگاه نرسیده است؛ به سرور وصل شوید و دوباره تلاش کنید'],
  REVOKE_SELF: ['This device cannot revoke itself; revoke it from another device or on the server', 'این دستگاه نمی‌تواند خودش را لغو کند؛ از دستگاهی دیگر یا روی سرور لغوش کنید'],
  CONFLICT_GONE: ['This conflict was already settled', 'این ناسازگاری قبلا حل شده است'],
  NO_STAMP_CARD: ['This programme has no stamp card', 'این برنامه کارت مهر ندارد'],
  STAMP_CARD_NOT_FULL: ['The stamp card is not full yet', 'کارت مهر هنوز کامل نشده است'],
  LAST_OWNER: ['The last active owner cannot be deactivated or given another role; make someone else an owner first', 'آخرین مالک فعال را نمی‌توان غیرفعال کرد یا نقش دیگری داد؛ ابتدا کس دیگری را مالک کنید'],
} as const satisfies Record<string, readonly [en: string, fa: string]>;

/** A machine-readable error code. */
export type ErrorCode = keyof typeof ERRORS;

/** An error that carries a machine-readable code; UIs translate the code, servers send both messages. */
export class PatronError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, string> | undefined;
  constructor(code: ErrorCode, details?: Record<string, string>) {
    super(ERRORS[code][0]);
    this.name = 'PatronError';
    this.code = code;
    this.details = details;
  }
}

/** Whether a value is a PatronError (also across realms, where instanceof fails). */
export function isPatronError(value: unknown): value is PatronError {
  return typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'PatronError';
}

/** Why a field of a form or command input is refused (the UI translates each, `common:fields.<problem>`). */
export const FIELD_PROBLEMS = [
  'REQUIRED',
  'INVALID_PHONE_FORMAT',
  'INVALID_NAME',
  'INVALID_EMAIL',
  'INVALID_DATE',
  'FUTURE_DATE',
  'TOO_LONG',
  'TOO_MANY_ITEMS',
  'ITEM_TOO_LONG',
  'TOO_LARGE',
  'TAKEN',
  'DATE_ORDER',
  'RANGE_ORDER',
  'SAME_PHONE',
  'MISSING_EMAIL',
  'DUPLICATE_TAG',
  'PIN_FORMAT',
  'PIN_TOO_SHORT',
  'PIN_MISMATCH',
  'INVALID',
  'PERCENT_RANGE',
  'INVALID_VISITS',
] as const;
/** Why a field is refused. */
export type FieldProblem = (typeof FIELD_PROBLEMS)[number];
