export {
  NotifyListener,
  type NotifyListenerOptions,
  type NotifyMatcher,
  type NotifyRecord,
  type WaitForOptions,
} from './notify-listener.js';
