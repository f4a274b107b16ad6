/**
 * What the veth-based plugins ({@code bridge}, {@code ptp}, {@code jcni-routed}) share: the host and container
 * namespaces of one operation ({@link io.jcni.plugins.internal.attach.Namespaces}), the container's layer 3 ({@link
 * io.jcni.plugins.internal.attach.ContainerAddressing}), its removal at DEL ({@link io.jcni.plugins.internal.attach.ContainerLink}),
 * CHECK of addresses and routes ({@link io.jcni.plugins.internal.attach.ExpectedState}), interface names, undo steps and
 * Go's error texts.
 */
package io.jcni.plugins.internal.attach;
