import { Authorizer, InMemoryRbacSource, bootstrapPolicy } from '@ekslab/apiserver-auth';
import { describe, expect, it } from 'vitest';
import { statusOf } from '../http/status.js';
import { findResource } from '../resources.js';
import { answerReview } from './reviews.js';

const auth = { authorizer: new Authorizer(new InMemoryRbacSource(bootstrapPolicy())) };
const jane = { username: 'jane', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] } };
const info = (group: string, version: string, resource: string) => findResource(group, version, resource)!;
const now = Date.UTC(2026, 10, 22, 4, 0, 0, 123);

describe('answerReview', () => {
  it('reviews — SelfSubjectReview echoes the (impersonated) user with a creation time, in the version asked', () => {
    for (const version of ['v1', 'v1beta1']) {
      expect(answerReview({ auth }, jane, info('authentication.k8s.io', version, 'selfsubjectreviews'), {}, now)).toEqual({
        kind: 'SelfSubjectReview', apiVersion: `authentication.k8s.io/${version}`, metadata: { creationTimestamp: '2026-11-22T04:00:00Z' },
        status: { userInfo: { username: 'jane', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a'] } } },
      });
    }
    expect(answerReview({ auth }, { username: 'x', groups: [] }, info('authentication.k8s.io', 'v1', 'selfsubjectreviews'), {}, now)['status']).toEqual({ userInfo: { username: 'x' } });
  });

  it('reviews — SelfSubjectRulesReview lists the rules and needs a namespace', () => {
    const ssrr = info('authorization.k8s.io', 'v1', 'selfsubjectrulesreviews');
    const answer = answerReview({ auth }, jane, ssrr, { spec: { namespace: 'default' } }, now) as { spec: unknown; status: { resourceRules: unknown[]; incomplete: boolean } };
    expect(answer).toMatchObject({ kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: {} });
    expect(answer.status.incomplete).toBe(false);
    expect(answer.status.resourceRules).toContainEqual({ verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] });
    let err: unknown;
    try {
      answerReview({ auth }, jane, ssrr, { spec: {} }, now);
    } catch (e) {
      err = e;
    }
    expect(statusOf(err)).toMatchObject({ code: 400, reason: 'BadRequest', message: 'no namespace on request' });
  });
});
