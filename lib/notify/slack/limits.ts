/**
 * Slack's limits on a message, and trimming that keeps a message inside them. A message
 * over a limit is rejected by Slack (`invalid_blocks`), and a rejected alert is worse
 * than a shortened one, so we trim with an ellipsis and never refuse.
 *
 * Sources (Slack developer docs, checked 2026-11):
 * - blocks per message: 50 — https://docs.slack.dev/reference/block-kit/blocks
 * - header text (plain_text): 150 — https://docs.slack.dev/reference/block-kit/blocks/header-block
 * - section text: 3000; fields: at most 10, each 2000 —
 *   https://docs.slack.dev/reference/block-kit/blocks/section-block
 * - context elements: at most 10 — https://docs.slack.dev/reference/block-kit/blocks/context-block;
 *   a text object holds at most 3000 — https://docs.slack.dev/reference/block-kit/composition-objects/text-object
 * - top-level `text`: Slack truncates past 40,000 characters
 *   (https://api.slack.com/changelog/2018-04-truncating-really-long-messages) and asks
 *   clients to stay within 4,000 (https://docs.slack.dev/reference/methods/chat.postMessage);
 *   the `text` is only the notification fallback, so we keep it at 4,000.
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3_000,
  fields: 10,
  fieldText: 2_000,
  contextElements: 10,
  contextText: 3_000,
  text: 4_000,
} as const;

/** The blocks we build: a subset of Block Kit. */
export type TextObject = { type: "plain_text"; text: string; emoji?: boolean } | MrkdwnText;
export interface MrkdwnText {
  type: "mrkdwn";
  text: string;
}
export interface HeaderBlock {
  type: "header";
  text: { type: "plain_text"; text: string; emoji?: boolean };
}
export interface SectionBlock {
  type: "section";
  text?: MrkdwnText;
  fields?: MrkdwnText[];
}
export interface ContextBlock {
  type: "context";
  elements: MrkdwnText[];
}
export interface DividerBlock {
  type: "divider";
}
export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

/** An incoming-webhook payload: `text` is the notification and screen-reader fallback. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const ELLIPSIS = "…";

/**
 * Cuts `text` to at most `max` UTF-16 units, ending with "…" when it was cut. Never splits
 * a surrogate pair or an HTML entity (`&amp;` from mrkdwn escaping).
 *
 * @example trimText("a".repeat(200), 150).length // 150
 */
export function trimText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - ELLIPSIS.length));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  cut = cut.replace(/&[a-z]{0,4}$/, "");
  return cut + ELLIPSIS;
}

/**
 * Brings a message within every limit above: long texts are cut, surplus fields and
 * context elements dropped, and surplus blocks replaced by one context line saying how
 * many were left out. Returns a new message; the input is not changed.
 */
export function enforceLimits(message: SlackMessage): SlackMessage {
  let blocks = message.blocks.map(trimBlock);
  if (blocks.length > SLACK_LIMITS.blocks) {
    const omitted = blocks.length - (SLACK_LIMITS.blocks - 1);
    blocks = [
      ...blocks.slice(0, SLACK_LIMITS.blocks - 1),
      {
        type: "context",
        elements: [
          { type: "mrkdwn", text: `_${omitted} more blocks omitted (Slack shows at most 50)_` },
        ],
      },
    ];
  }
  return { text: trimText(nonEmpty(message.text), SLACK_LIMITS.text), blocks };
}

function trimBlock(block: SlackBlock): SlackBlock {
  switch (block.type) {
    case "header":
      return {
        ...block,
        text: { ...block.text, text: trimText(nonEmpty(block.text.text), SLACK_LIMITS.headerText) },
      };
    case "section": {
      const trimmed: SectionBlock = { type: "section" };
      if (block.text) trimmed.text = mrkdwn(block.text.text, SLACK_LIMITS.sectionText);
      if (block.fields) {
        trimmed.fields = block.fields
          .slice(0, SLACK_LIMITS.fields)
          .map((f) => mrkdwn(f.text, SLACK_LIMITS.fieldText));
      }
      return trimmed;
    }
    case "context":
      return {
        type: "context",
        elements: block.elements
          .slice(0, SLACK_LIMITS.contextElements)
          .map((e) => mrkdwn(e.text, SLACK_LIMITS.contextText)),
      };
    case "divider":
      return block;
  }
}

function mrkdwn(text: string, max: number): MrkdwnText {
  return { type: "mrkdwn", text: trimText(nonEmpty(text), max) };
}

/** Slack refuses empty text objects; an em dash says "nothing here" instead. */
function nonEmpty(text: string): string {
  return text.trim() === "" ? "—" : text;
}
