// A shopper without a browser, for load: follows a payment's 3-D Secure redirect the way a browser
// does (paygraph's hand-off page → the ACS's challenge page → the code → the ACS's hand-back, which
// posts the CRes to paygraph), with plain HTTP and the pages' own forms.
const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const pick = (html, re, what) => {
  const m = re.exec(html);
  if (!m) throw new Error(`acs-shopper: no ${what} in the page`);
  return unescape(m[1]);
};

async function page(url, init) {
  const res = await fetch(url, { redirect: "manual", ...init });
  if (res.status >= 400) throw new Error(`acs-shopper: ${init?.method ?? "GET"} ${url} answered ${res.status}`);
  return res.text();
}

const form = (fields) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString() });

/** Passes (code 123456) the challenge behind `redirectUrl`; resolves once paygraph has the CRes. */
export async function passChallenge(redirectUrl, code = "123456") {
  const handOff = await page(redirectUrl);
  const acsUrl = pick(handOff, /<form id="creq" method="post" action="([^"]+)"/, "ACS form");
  const creq = pick(handOff, /name="creq" value="([^"]+)"/, "creq");
  const challenge = await page(acsUrl, form({ creq }));
  const acsTransId = pick(challenge, /name="acsTransId" value="([^"]+)"/, "acsTransId");
  const answer = await page(new URL("/3ds/challenge/answer", acsUrl).href, form({ acsTransId, code, action: "submit" }));
  const notificationUrl = pick(answer, /<form id="cres" method="post" action="([^"]+)"/, "notification form");
  const cres = pick(answer, /name="cres" value="([^"]+)"/, "cres");
  await page(notificationUrl, form({ cres }));
}
