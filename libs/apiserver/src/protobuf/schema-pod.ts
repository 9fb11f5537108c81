import type { SchemaSource } from './schema.js';

/** core/v1 PodSpec and volumes. Not decoded (reported as unknown): affinity, dnsConfig, topologySpreadConstraints, ephemeralContainers, schedulingGates, resourceClaims, seLinuxOptions, windowsOptions, appArmorProfile, and every volume source except hostPath, emptyDir, secret, persistentVolumeClaim and configMap. */
export const POD_SCHEMA: SchemaSource = {
  PodSpec: {
    1: 'volumes []Volume',
    2: 'containers []Container',
    3: 'restartPolicy string',
    4: 'terminationGracePeriodSeconds *int64',
    5: 'activeDeadlineSeconds *int64',
    6: 'dnsPolicy string',
    7: 'nodeSelector map[string]',
    8: 'serviceAccountName string',
    9: 'serviceAccount string',
    10: 'nodeName string',
    11: 'hostNetwork bool',
    12: 'hostPID bool',
    13: 'hostIPC bool',
    14: 'securityContext PodSecurityContext',
    15: 'imagePullSecrets []LocalObjectReference',
    16: 'hostname string',
    17: 'subdomain string',
    // 18: affinity (Affinity) is not decoded
    19: 'schedulerName string',
    20: 'initContainers []Container',
    21: 'automountServiceAccountToken *bool',
    22: 'tolerations []Toleration',
    23: 'hostAliases []HostAlias',
    24: 'priorityClassName string',
    25: 'priority *int32',
    // 26: dnsConfig (PodDNSConfig) is not decoded
    27: 'shareProcessNamespace *bool',
    28: 'readinessGates []PodReadinessGate',
    29: 'runtimeClassName *string',
    30: 'enableServiceLinks *bool',
    31: 'preemptionPolicy *string',
    32: 'overhead map[Quantity]',
    // 33: topologySpreadConstraints (TopologySpreadConstraint) is not decoded
    // 34: ephemeralContainers (EphemeralContainer) is not decoded
    35: 'setHostnameAsFQDN *bool',
    36: 'os PodOS',
    37: 'hostUsers *bool',
    // 38: schedulingGates (PodSchedulingGate) is not decoded
    // 39: resourceClaims (PodResourceClaim) is not decoded
    40: 'resources ResourceRequirements',
    41: 'hostnameOverride *string',
    // 43: schedulingGroup (PodSchedulingGroup) is not decoded
    // 44: evictionResponders (EvictionResponder) is not decoded
  },
  PodSecurityContext: {
    // 1: seLinuxOptions (SELinuxOptions) is not decoded
    2: 'runAsUser *int64',
    3: 'runAsNonRoot *bool',
    4: 'supplementalGroups []int64',
    5: 'fsGroup *int64',
    6: 'runAsGroup *int64',
    7: 'sysctls []Sysctl',
    // 8: windowsOptions (WindowsSecurityContextOptions) is not decoded
    9: 'fsGroupChangePolicy *string',
    10: 'seccompProfile SeccompProfile',
    // 11: appArmorProfile (AppArmorProfile) is not decoded
    12: 'supplementalGroupsPolicy *string',
    13: 'seLinuxChangePolicy *string',
  },
  Sysctl: {
    1: 'name *string',
    2: 'value *string',
  },
  SeccompProfile: {
    1: 'type *string',
    2: 'localhostProfile *string',
  },
  Toleration: {
    1: 'key string',
    2: 'operator string',
    3: 'value string',
    4: 'effect string',
    5: 'tolerationSeconds *int64',
  },
  HostAlias: {
    1: 'ip *string',
    2: 'hostnames []string',
  },
  PodReadinessGate: {
    1: 'conditionType *string',
  },
  PodOS: {
    1: 'name *string',
  },
  Volume: {
    1: 'name *string',
    2: 'volumeSource ...VolumeSource',
  },
  VolumeSource: {
    1: 'hostPath HostPathVolumeSource',
    2: 'emptyDir EmptyDirVolumeSource',
    // 3: gcePersistentDisk (GCEPersistentDiskVolumeSource) is not decoded
    // 4: awsElasticBlockStore (AWSElasticBlockStoreVolumeSource) is not decoded
    // 5: gitRepo (GitRepoVolumeSource) is not decoded
    6: 'secret SecretVolumeSource',
    // 7: nfs (NFSVolumeSource) is not decoded
    // 8: iscsi (ISCSIVolumeSource) is not decoded
    // 9: glusterfs (GlusterfsVolumeSource) is not decoded
    10: 'persistentVolumeClaim PersistentVolumeClaimVolumeSource',
    // 11: rbd (RBDVolumeSource) is not decoded
    // 12: flexVolume (FlexVolumeSource) is not decoded
    // 13: cinder (CinderVolumeSource) is not decoded
    // 14: cephfs (CephFSVolumeSource) is not decoded
    // 15: flocker (FlockerVolumeSource) is not decoded
    // 16: downwardAPI (DownwardAPIVolumeSource) is not decoded
    // 17: fc (FCVolumeSource) is not decoded
    // 18: azureFile (AzureFileVolumeSource) is not decoded
    19: 'configMap ConfigMapVolumeSource',
    // 20: vsphereVolume (VsphereVirtualDiskVolumeSource) is not decoded
    // 21: quobyte (QuobyteVolumeSource) is not decoded
    // 22: azureDisk (AzureDiskVolumeSource) is not decoded
    // 23: photonPersistentDisk (PhotonPersistentDiskVolumeSource) is not decoded
    // 24: portworxVolume (PortworxVolumeSource) is not decoded
    // 25: scaleIO (ScaleIOVolumeSource) is not decoded
    // 26: projected (ProjectedVolumeSource) is not decoded
    // 27: storageos (StorageOSVolumeSource) is not decoded
    // 28: csi (CSIVolumeSource) is not decoded
    // 29: ephemeral (EphemeralVolumeSource) is not decoded
    // 30: image (ImageVolumeSource) is not decoded
  },
  HostPathVolumeSource: {
    1: 'path *string',
    2: 'type *string',
  },
  EmptyDirVolumeSource: {
    1: 'medium string',
    2: 'sizeLimit Quantity',
    3: 'mode *int32',
  },
  SecretVolumeSource: {
    1: 'secretName string',
    2: 'items []KeyToPath',
    3: 'defaultMode *int32',
    4: 'optional *bool',
    5: 'defaultUser *int64',
  },
  PersistentVolumeClaimVolumeSource: {
    1: 'claimName *string',
    2: 'readOnly bool',
  },
  ConfigMapVolumeSource: {
    1: 'localObjectReference ...LocalObjectReference',
    2: 'items []KeyToPath',
    3: 'defaultMode *int32',
    4: 'optional *bool',
    5: 'defaultUser *int64',
  },
  KeyToPath: {
    1: 'key *string',
    2: 'path *string',
    3: 'mode *int32',
    4: 'user *int64',
  },
};
