// The kubelet's image manager for the simulated runtime: pull policy, the node's image cache, simulated pull
// time, ErrImagePull and ImagePullBackOff. It records events and sets container state through what the pod
// runtime hands it; a pulled (or present) image goes on to `pulled`, which creates and starts the container.
import type { Container } from './container.js';
import type { ImageCache } from './images.js';
import { imageMarkedMissing, imageNotFoundError, imageSizeBytes, pullPolicyOf } from './images.js';
import { msg } from './messages.js';
import type { RuntimeEvent, RuntimeTiming } from './types.js';

export type RecordEvent = (type: RuntimeEvent['type'], reason: string, message: string, c: Container, at: number) => void;

export class ImagePuller {
  constructor(
    private readonly node: { readonly images: ImageCache; readonly timing: RuntimeTiming },
    private readonly record: RecordEvent,
    private readonly pulled: (c: Container, t: number) => void,
  ) {}

  /** Pulls the container's image if it needs one (pull policy, node cache, back-off), then hands it on. */
  ensure(c: Container, t: number): void {
    const image = c.spec.image;
    const policy = pullPolicyOf(image, c.spec.imagePullPolicy);
    const present = this.node.images.has(image);
    if (policy === 'Never' && !present) {
      this.record('Warning', 'ErrImageNeverPull', msg.neverPull(image), c, t);
      this.record('Warning', 'Failed', msg.error('ErrImageNeverPull'), c, t);
      c.setWaiting('ErrImageNeverPull', msg.neverPull(image));
      c.activity = 'neverPull';
      return;
    }
    if (present && policy !== 'Always') {
      this.record('Normal', 'Pulled', msg.alreadyPresent(image), c, t);
      this.pulled(c, t);
      return;
    }
    const updated = c.pullBackoff.updatedAt;
    if (updated !== undefined && t - updated < c.pullBackoff.current) {
      this.backOff(c, t, updated + c.pullBackoff.current);
      return;
    }
    this.record('Normal', 'Pulling', msg.pulling(image), c, t);
    c.activity = 'pulling';
    c.pullStartedAt = t;
    const fullMs = Math.round((imageSizeBytes(image) / this.node.timing.pullBytesPerSecond) * 1000);
    const missing = c.behaviour.imageMissing || imageMarkedMissing(image);
    // A missing image fails at resolve time; a present image (policy Always) only checks the manifest.
    c.wake = t + Math.max(1, missing ? Math.min(fullMs, 300) : present ? Math.round(fullMs / 10) : fullMs);
  }

  private backOff(c: Container, t: number, until: number): void {
    const image = c.spec.image;
    this.record('Normal', 'BackOff', msg.backOffPull(image), c, t);
    this.record('Warning', 'Failed', msg.error('ImagePullBackOff'), c, t);
    c.setWaiting('ImagePullBackOff', msg.backOffPullWaiting(image, c.pullError));
    c.activity = 'pullBackoff';
    c.wake = until;
  }

  /** A container waiting out ImagePullBackOff is due again. */
  backoffStep(c: Container, t: number): void {
    c.wake = undefined;
    const updated = c.pullBackoff.updatedAt ?? t;
    if (c.waitingReason === 'ErrImagePull' && t - updated < c.pullBackoff.current) {
      this.backOff(c, t, updated + c.pullBackoff.current);
      return;
    }
    this.ensure(c, t);
  }

  /** A simulated pull has taken its time: the image is there, or the pull failed. */
  finishPull(c: Container, t: number): void {
    c.wake = undefined;
    const image = c.spec.image;
    if (c.behaviour.imageMissing || imageMarkedMissing(image)) {
      const err = imageNotFoundError(image);
      c.pullError = err;
      this.record('Warning', 'Failed', msg.failedToPull(image, err), c, t);
      this.record('Warning', 'Failed', msg.error('ErrImagePull'), c, t);
      c.pullBackoff.next(t);
      c.setWaiting('ErrImagePull', err);
      c.activity = 'pullBackoff';
      c.wake = t + Math.min(this.node.timing.errorResyncMs, c.pullBackoff.current);
      return;
    }
    const size = imageSizeBytes(image);
    this.node.images.add(image, size);
    const took = t - c.pullStartedAt;
    this.record('Normal', 'Pulled', msg.pulled(image, took, took, size), c, t);
    this.pulled(c, t);
  }
}
