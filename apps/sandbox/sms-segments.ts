// GSM 03.38: texts made only of these characters travel as 7-bit; anything else forces UCS-2.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// The extension table costs an escape septet plus the character itself.
const GSM_EXTENDED = new Set('^{}\\[~]|€\f');

/** How many SMS parts Twilio would bill for `body` (what it reports as `num_segments`). */
export function countSegments(body: string): number {
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM_BASIC.has(ch)) septets += 1;
    else if (GSM_EXTENDED.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  // UCS-2 counts UTF-16 code units, so an emoji (a surrogate pair) takes two of the 70.
  const units = body.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}
