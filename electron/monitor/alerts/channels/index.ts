/** The channels by type: make one from its config, and describe where it delivers. */
import type { Channel } from "./channel.js";
import { createCommandChannel } from "./command.js";
import type { ChannelConfig } from "./config.js";
import { createDiscordChannel } from "./discord.js";
import { createEmailChannel } from "./email.js";
import { createSlackChannel } from "./slack.js";
import { createWebhookChannel } from "./webhook.js";

export type { AlertNotification, Channel, DeliveryOutcome, NotifiedAlert } from "./channel.js";
export { type ChannelConfig, ChannelConfigSchema, SECRET_KEYS } from "./config.js";
export { describeTarget } from "./describe.js";

export function createChannel(config: ChannelConfig): Channel {
  switch (config.type) {
    case "webhook":
      return createWebhookChannel(config);
    case "slack":
      return createSlackChannel(config);
    case "discord":
      return createDiscordChannel(config);
    case "email":
      return createEmailChannel(config);
    case "command":
      return createCommandChannel(config);
  }
}
