#ifndef CIEL_IMAGE_QCOW2_H
#define CIEL_IMAGE_QCOW2_H

/* Disk format sniffing for an image's virtual_size, from the first bytes of the data as they
 * stream by (nothing is read back). A qcow2 image opens with a fixed header: magic
 * "QFI\xfb", a big-endian version (2 or 3), and at offset 24 the big-endian virtual disk
 * size in bytes. */

#include <stddef.h>
#include <stdint.h>

/* Bytes of the header qcow2_virtual_size needs. */
#define QCOW2_HEADER_SIZE 32

/* The virtual size declared by the qcow2 header in 'buf' ('size' bytes from the start of
 * the image), or -1 when 'buf' is too short or is not a qcow2 header. */
int64_t qcow2_virtual_size(const unsigned char *buf, size_t size);

#endif
