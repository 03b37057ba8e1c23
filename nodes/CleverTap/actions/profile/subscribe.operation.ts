import { subscriptionOperation } from './subscription';

/** POST /1/subscribe with status "Resubscribe": the email or phone may be messaged again. */
export const { description, execute } = subscriptionOperation('subscribe');
