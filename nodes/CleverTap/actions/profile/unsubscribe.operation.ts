import { subscriptionOperation } from './subscription';

/** POST /1/subscribe with status "Unsubscribe": no more messages to that email or phone, for any profile using it. */
export const { description, execute } = subscriptionOperation('unsubscribe');
