// The shopper's words in English and Arabic (right to left), for the checkout page and paygraph.js's card form. Amounts are formatted by Intl for the
// page's locale with the currency's own number of decimals.
export type Locale = "en" | "ar";

const en = {
  title: "Checkout",
  number: "Card number",
  expiry: "Expiry (MM/YY)",
  expiryPlaceholder: "MM/YY",
  cvc: "Security code",
  pay: (amount: string) => `Pay ${amount}`,
  cancel: "Cancel and return to the shop",
  numberInvalid: "Enter the card number: 12 to 19 digits.",
  expiryInvalid: "Enter the expiry as MM/YY, not in the past.",
  cvcInvalid: "Enter the 3 or 4 digit security code.",
  fixErrors: "Check the highlighted fields.",
  processing: "Processing your payment…",
  verifying: "Your bank asks you to confirm this payment. Taking you to your bank…",
  verificationPending: "Your bank is waiting for you to confirm this payment.",
  continueVerification: "Continue the verification with your bank",
  paid: "Payment complete. Taking you back to the shop…",
  expired: "This checkout has expired. Nothing was charged.",
  inReview: "Thank you. The shop is checking this payment; nothing has been charged yet.",
  failed: "The payment could not be completed. Nothing was charged.",
  canceled: "This payment was cancelled. Nothing was charged.",
  declined: "Your card was declined. Nothing was charged; try another card.",
  insufficientFunds: "Your card has insufficient funds. Nothing was charged; try another card.",
  authenticationFailed: "Your bank could not verify this card. Nothing was charged; try again or use another card.",
  authenticationAbandoned: "The verification with your bank was not finished in time. Nothing was charged; try again.",
  incorrectNumber: "The card number is not correct. Check it, or try another card.",
  expiredCard: "This card has expired. Try another card.",
  tryAgain: "The payment did not go through. Nothing was charged; try again or use another card.",
  connection: "Connection lost. Reconnecting…",
  cardForm: "Card details",
  unknownSession: "This checkout link is not valid.",
};

const ar: typeof en = {
  title: "الدفع",
  number: "رقم البطاقة",
  expiry: "تاريخ الانتهاء (شهر/سنة)",
  expiryPlaceholder: "شهر/سنة",
  cvc: "رمز الأمان",
  pay: (amount: string) => `ادفع ${amount}`,
  cancel: "إلغاء والعودة إلى المتجر",
  numberInvalid: "أدخل رقم البطاقة: من 12 إلى 19 رقمًا.",
  expiryInvalid: "أدخل تاريخ الانتهاء بصيغة شهر/سنة، وألا يكون في الماضي.",
  cvcInvalid: "أدخل رمز الأمان المكوّن من 3 أو 4 أرقام.",
  fixErrors: "تحقق من الحقول المميّزة.",
  processing: "جارٍ معالجة الدفع…",
  verifying: "يطلب مصرفك تأكيد هذا الدفع. جارٍ نقلك إلى مصرفك…",
  verificationPending: "ينتظر مصرفك تأكيدك لهذا الدفع.",
  continueVerification: "متابعة التحقق مع مصرفك",
  paid: "تم الدفع. جارٍ إعادتك إلى المتجر…",
  expired: "انتهت صلاحية صفحة الدفع هذه. لم يُخصم أي مبلغ.",
  inReview: "شكرًا لك. يراجع المتجر هذا الدفع؛ لم يُخصم أي مبلغ بعد.",
  failed: "تعذّر إتمام الدفع. لم يُخصم أي مبلغ.",
  canceled: "أُلغي هذا الدفع. لم يُخصم أي مبلغ.",
  declined: "رُفضت بطاقتك. لم يُخصم أي مبلغ؛ جرّب بطاقة أخرى.",
  insufficientFunds: "رصيد بطاقتك غير كافٍ. لم يُخصم أي مبلغ؛ جرّب بطاقة أخرى.",
  authenticationFailed: "تعذّر على مصرفك التحقق من هذه البطاقة. لم يُخصم أي مبلغ؛ حاول مجددًا أو استخدم بطاقة أخرى.",
  authenticationAbandoned: "لم يكتمل التحقق مع مصرفك في الوقت المحدد. لم يُخصم أي مبلغ؛ حاول مجددًا.",
  incorrectNumber: "رقم البطاقة غير صحيح. تحقق منه أو جرّب بطاقة أخرى.",
  expiredCard: "انتهت صلاحية هذه البطاقة. جرّب بطاقة أخرى.",
  tryAgain: "لم يتم الدفع. لم يُخصم أي مبلغ؛ حاول مجددًا أو استخدم بطاقة أخرى.",
  connection: "انقطع الاتصال. جارٍ إعادة الاتصال…",
  cardForm: "بيانات البطاقة",
  unknownSession: "رابط الدفع هذا غير صالح.",
};

export const messages: Record<Locale, typeof en> = { en, ar };

/** The document's language and direction (Arabic right to left), and its title; answers the words. */
export function applyLocale(locale: Locale, title: (t: Messages) => string): Messages {
  const t = messages[locale] ?? messages.en;
  document.documentElement.lang = locale;
  document.documentElement.dir = locale === "ar" ? "rtl" : "ltr";
  document.title = title(t);
  return t;
}
export type Messages = typeof en;

/** The shopper's words for why the last try failed (never the gateway's own text). */
export function failureText(t: Messages, error: { code: string; declineCode: string | null }): string {
  if (error.code === "authentication_failed" || error.code === "authentication_required") return t.authenticationFailed;
  if (error.code === "authentication_abandoned") return t.authenticationAbandoned;
  if (error.code === "incorrect_number") return t.incorrectNumber;
  if (error.code === "expired_card") return t.expiredCard;
  if (error.declineCode === "insufficient_funds") return t.insufficientFunds;
  if (error.code === "card_declined") return t.declined;
  return t.tryAgain;
}

/** "12.50" EUR → "€12.50" (en) or its Arabic form: exactly the currency's decimals, no float on the way. */
export function formatAmount(locale: Locale, amount: string, currency: string): string {
  const decimals = amount.includes(".") ? amount.length - amount.indexOf(".") - 1 : 0;
  // Intl formats a decimal string exactly (ES2023 Intl.NumberFormat v3).
  const format = new Intl.NumberFormat(locale === "ar" ? "ar" : "en", { style: "currency", currency, minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  return format.format(amount as unknown as number);
}
