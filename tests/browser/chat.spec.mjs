// chat.spec.mjs - the citizen chat page in Debian's Chromium, driven by
// playwright-core (no browser download).  A plain node script, not a test
// framework: it prints "ok - ..." / "FAIL - ..." lines and a final
// "N passed, M failed", and exits non-zero on failure.
//
// Env: TD_BASE (http://127.0.0.1:PORT of a running `tongdai serve` over the
// sample knowledge base), TD_SHOT_DIR (where the screenshots go),
// CHROMIUM (default /usr/bin/chromium).
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BASE = process.env.TD_BASE;
const SHOTS = process.env.TD_SHOT_DIR || ".";
const EXE = process.env.CHROMIUM || "/usr/bin/chromium";
if (!BASE) {
  console.error("set TD_BASE to the server's address");
  process.exit(2);
}

let passed = 0;
let failed = 0;
function check(desc, cond, detail) {
  if (cond) {
    passed++;
    console.log("ok   - " + desc);
  } else {
    failed++;
    console.log("FAIL - " + desc + (detail ? " (" + detail + ")" : ""));
  }
}

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

async function withPage(viewport, fn) {
  const profile = mkdtempSync(join(tmpdir(), "td-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: EXE, args: ARGS, headless: true, viewport, locale: "vi-VN",
  });
  const errors = [];
  try {
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    await fn(page, errors);
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// Send a message with the form and wait for the next bot bubble.
async function ask(page, text) {
  const before = await page.locator("#log .msg.bot").count();
  await page.fill("#message", text);
  await page.click("#send");
  await page.waitForFunction((n) => document.querySelectorAll("#log .msg.bot").length > n,
    before, { timeout: 15000 });
  return page.locator("#log .msg.bot").last();
}

try {
  // ---- phone-sized viewport: the whole conversation ----------------------
  await withPage({ width: 390, height: 844 }, async (page, errors) => {
    const resp = await page.goto(BASE + "/", { waitUntil: "load" });
    check("GET / is 200", resp && resp.status() === 200);
    check("page is Vietnamese", (await page.getAttribute("html", "lang")) === "vi");
    check("message box has an accessible label",
      (await page.locator("label[for=message]").count()) === 1);
    check("greeting is shown", (await page.locator("#log .msg.bot").count()) === 1);
    await page.waitForFunction(() => /cập nhật đến ngày \d\d\/\d\d\/\d{4}/.test(
      document.getElementById("kb-note").textContent), null, { timeout: 5000 }).catch(() => {});
    check("note gives the knowledge base's as-of date",
      /cập nhật đến ngày \d\d\/\d\d\/\d{4}/.test(await page.textContent("#kb-note")));

    let bot = await ask(page, "Đăng ký khai sinh cần những giấy tờ gì?");
    const text = await bot.textContent();
    check("answer names the procedure", /đăng ký khai sinh/i.test(text), text.slice(0, 80));
    check("procedure name is bold", (await bot.locator("strong").count()) >= 1 &&
      /khai sinh/i.test(await bot.locator("strong").first().textContent()));
    check("documents are rendered as a list", (await bot.locator("ol li").count()) >= 1);
    const link = bot.locator(".source a");
    check("source link opens in a new tab", (await link.count()) === 1 &&
      (await link.getAttribute("target")) === "_blank" &&
      /^https?:\/\//.test(await link.getAttribute("href")) &&
      (await link.getAttribute("rel")).includes("noopener"));
    const sid = await page.evaluate(() => sessionStorage.getItem("tongdai.session"));
    check("session id kept in sessionStorage", typeof sid === "string" && sid.length >= 22);

    bot = await ask(page, "thế còn lệ phí?");
    check("follow-up answers about the same procedure",
      /khai sinh/i.test(await bot.textContent()) && /lệ phí|miễn/i.test(await bot.textContent()));
    check("same session after the follow-up",
      (await page.evaluate(() => sessionStorage.getItem("tongdai.session"))) === sid);
    await page.screenshot({ path: join(SHOTS, "chat.png"), fullPage: false });

    // A vague question: clarification options as buttons that send the number.
    bot = await ask(page, "giấy phép");
    const options = bot.locator("button.option");
    const nopt = await options.count();
    if (nopt > 0) {
      check("clarification offers numbered buttons", nopt >= 2);
      const box = await options.first().boundingBox();
      check("option buttons are large tap targets (>= 44 px)", box && box.height >= 44);
      await page.screenshot({ path: join(SHOTS, "chat-clarify.png"), fullPage: false });
      const before = await page.locator("#log .msg.bot").count();
      await options.first().click();
      await page.waitForFunction((n) => document.querySelectorAll("#log .msg.bot").length > n,
        before, { timeout: 15000 });
      const mine = await page.locator("#log .msg.me").last().textContent();
      check("clicking an option sends its number", /1$/.test(mine.trim()), mine);
      const picked = page.locator("#log .msg.bot").last();
      check("the pick is answered with a procedure",
        (await picked.locator("strong").count()) >= 1);
    } else {
      check("clarification (engine answered directly; nothing to click)", true);
    }

    // Hand-over button.
    const before = await page.locator("#log .msg.bot").count();
    await page.click("#handover");
    await page.waitForFunction((n) => document.querySelectorAll("#log .msg.bot").length > n,
      before, { timeout: 15000 });
    check("'Gặp tổng đài viên' gets the hand-over reply",
      /tổng đài viên/i.test(await page.locator("#log .msg.bot").last().textContent()));

    // Markup in a question is shown as text, never parsed.
    await ask(page, "<img src=x onerror=alert(1)> <b>khai sinh</b>");
    check("markup typed by the citizen is not rendered",
      (await page.locator("#log img").count()) === 0 && (await page.locator("#log .msg.me b").count()) === 0);

    // A polite error: an over-long message never reaches the server.
    await page.fill("#message", "a".repeat(2000));
    await page.evaluate(() => { document.getElementById("message").value += "bb"; });
    await page.click("#send");
    check("an over-long message gets a polite Vietnamese error",
      /quá dài/.test(await page.textContent("#chat-status")));

    // The page fits the phone: nothing wider than the viewport.
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    check("no horizontal scrolling at 390 px", sw <= 390, "scrollWidth " + sw);

    // Secondary view: the procedure search.
    await page.click("#tab-search");
    await page.fill("#q", "khai sinh");
    await page.waitForFunction(() => /Tìm thấy/.test(document.getElementById("search-status").textContent),
      null, { timeout: 10000 });
    check("procedure search lists results",
      /khai sinh/i.test(await page.locator("#results li").first().textContent()));
    await page.click("#tab-chat");
    check("back to the chat keeps the conversation",
      (await page.locator("#log .msg").count()) >= 6);

    check("no console errors", errors.length === 0, errors.join(" | "));
  });

  // ---- desktop: the page restores nothing odd and looks right -------------
  await withPage({ width: 1280, height: 900 }, async (page, errors) => {
    await page.goto(BASE + "/", { waitUntil: "load" });
    await ask(page, "Làm lại giấy phép lái xe bị mất thì nộp ở đâu?");
    await page.screenshot({ path: join(SHOTS, "chat-desktop.png"), fullPage: false });
    check("desktop: answered", (await page.locator("#log .msg.bot").count()) === 2);
    check("desktop: no console errors", errors.length === 0, errors.join(" | "));
  });
} catch (e) {
  check("browser run completed", false, String(e && e.stack || e));
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
