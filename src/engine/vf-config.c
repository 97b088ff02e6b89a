/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VF configuration: save the original, apply a port's MAC and VLAN, restore — with driver quirks handled */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "core/names.h"
#include "core/vf-record.h"
#include "engine/vf-config.h"
#include "engine/vf-setting.h"
#include "engine/vf-function.h"
#include "shared/crash.h"
#include "shared/log.h"
#include "shared/macro.h"

static int vf_get(const VfOp *op, VfConfig *ret) {
        return hw_vf_get(op->hw, op->pf_netdev, op->vf, ret);
}

static char *pf_down_msg(const VfOp *op) {
        return g_strdup_printf("PF netdev '%s' is down; cannot configure VF %u", op->pf_netdev, op->vf);
}

static char *set_failed_msg(const VfOp *op, const VfSettingRow *row, const VfSettings *s, int r) {
        g_autofree char *what = row->describe(s);

        if (r == -ENETDOWN && !row->on_netdev)
                return pf_down_msg(op);
        if (row->on_netdev)
                return g_strdup_printf("cannot set %s on netdev '%s' of VF %u of PF netdev '%s': %s",
                                       what, op->netdev, op->vf, op->pf_netdev, g_strerror(-r));
        if (r == -EBUSY)
                return g_strdup_printf("cannot set %s on VF %u of PF netdev '%s': the VF is still in reset "
                                       "(busy)", what, op->vf, op->pf_netdev);
        return g_strdup_printf("cannot set %s on VF %u of PF netdev '%s': %s",
                               what, op->vf, op->pf_netdev, g_strerror(-r));
}

static void set_msg(char **ret_msg, char *msg) {
        if (ret_msg)
                *ret_msg = msg;
        else
                g_free(msg);
}

static void set_flag(bool *ret, bool v) {
        if (ret)
                *ret = v;
}

static bool netdev_name_is_valid_or_null(const char *name) {
        return !name || netdev_name_is_valid(name);
}

static int check_target(const VfTarget *t, char **ret_msg) {
        if (!t || !t->pf_netdev || !netdev_name_is_valid(t->pf_netdev)) {
                set_msg(ret_msg, g_strdup_printf("invalid PF netdev name '%s'",
                                                 t && t->pf_netdev ? t->pf_netdev : ""));
                return -EINVAL;
        }
        if (!netdev_name_is_valid_or_null(t->alt_pf_netdev) || !netdev_name_is_valid_or_null(t->vf_netdev)) {
                set_msg(ret_msg, g_strdup_printf("invalid netdev name for VF %u of PF netdev '%s'",
                                                 t->vf, t->pf_netdev));
                return -EINVAL;
        }
        return 0;
}

/* The other PF netdev of the target than pf_netdev (NULL on a single-port PF). */
static const char *other_pf_netdev(const VfTarget *t, const char *pf_netdev) {
        return streq(pf_netdev, t->pf_netdev) ? t->alt_pf_netdev : t->pf_netdev;
}

static char *netdev_phys_port_id(HwBackend *hw, const char *name) {
        g_autoptr(HwNetdev) n = NULL;

        if (hw_lookup_netdev(hw, name, &n, NULL) < 0)
                return NULL;
        return g_strdup(n->phys_port_id);
}

/* ConnectX-3: only the PF netdev of the VF's port reports its MAC and VLAN; the other reads zeros.
 * Where the VF has a netdev now, the PF netdev with the same phys_port_id is the one, whichever
 * of the two the caller named first. */
static const char *pick_read_pf(HwBackend *hw, const VfTarget *t) {
        g_autofree char *vf_id = NULL, *pf_id = NULL, *alt_id = NULL;

        if (!t->alt_pf_netdev || !t->vf_netdev)
                return t->pf_netdev;
        vf_id = netdev_phys_port_id(hw, t->vf_netdev);
        if (!vf_id)
                return t->pf_netdev;
        pf_id = netdev_phys_port_id(hw, t->pf_netdev);
        if (pf_id && g_ascii_strcasecmp(pf_id, vf_id) == 0)
                return t->pf_netdev;
        alt_id = netdev_phys_port_id(hw, t->alt_pf_netdev);
        if (alt_id && g_ascii_strcasecmp(alt_id, vf_id) == 0)
                return t->alt_pf_netdev;
        return t->pf_netdev;
}

static char *record_path(const char *vf_dir, const char *pf_netdev, unsigned vf) {
        g_autofree char *name = vf_record_file_name(pf_netdev, vf);

        return g_build_filename(vf_dir, name, NULL);
}

/* The record under first, else under second (may be NULL). -ENOENT when under neither. */
static int load_record_either(const char *vf_dir, const char *first, const char *second, unsigned vf,
                              VfRecord **ret, char **ret_msg) {
        const char *name = first;
        int r;

        r = vf_record_load(vf_dir, name, vf, ret);
        if (r == -ENOENT && second) {
                name = second;
                r = vf_record_load(vf_dir, name, vf, ret);
        }
        if (r == -ENOENT && second)
                set_msg(ret_msg, g_strdup_printf("no VF record for VF %u of PF netdev '%s' or '%s'",
                                                 vf, first, second));
        else if (r == -ENOENT)
                set_msg(ret_msg, g_strdup_printf("no VF record for VF %u of PF netdev '%s'", vf, first));
        else if (r < 0) {
                g_autofree char *path = record_path(vf_dir, name, vf);

                set_msg(ret_msg, g_strdup_printf("VF record %s cannot be read: %s", path,
                                                 r == -EINVAL ? "it is damaged" : g_strerror(-r)));
        }
        return r;
}

static bool record_exists(const char *vf_dir, const char *pf_netdev, unsigned vf) {
        g_autofree char *name = vf_record_file_name(pf_netdev, vf), *path = NULL;

        if (!name)
                return false;
        path = g_build_filename(vf_dir, name, NULL);
        return g_file_test(path, G_FILE_TEST_EXISTS);
}

/**
 * vf_config_has_record() - whether a record (even a damaged one) exists for the VF under either
 * PF netdev name
 */
bool vf_config_has_record(const char *vf_dir, const VfTarget *t) {
        if (!vf_dir || !t)
                return false;
        return record_exists(vf_dir, t->pf_netdev, t->vf) || record_exists(vf_dir, t->alt_pf_netdev, t->vf);
}

static void append_msg(char **ret_msg, const char *fmt, ...) _printf_(2, 3);
static void append_msg(char **ret_msg, const char *fmt, ...) {
        g_autofree char *more = NULL, *old = NULL;
        va_list ap;

        if (!ret_msg)
                return;
        va_start(ap, fmt);
        more = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        old = *ret_msg;
        *ret_msg = g_strconcat(old ? old : "", more, NULL);
}

/* "" for none, else the UUID in lower-case 8-4-4-4-12 form */
static int normalize_port_uuid(const char *uuid, char buf[static 37], char **ret_msg) {
        buf[0] = '\0';
        if (!uuid || !uuid[0])
                return 0;
        if (uuid_normalize(uuid, buf) < 0) {
                set_msg(ret_msg, g_strdup_printf("invalid port UUID '%s'", uuid));
                return -EINVAL;
        }
        return 0;
}

static int check_settings(const VfTarget *t, const VfSettings *want, char **ret_msg) {
        VfSettingId bad;

        if (!want) {
                set_msg(ret_msg, g_strdup_printf("no settings for VF %u of PF netdev '%s'", t->vf, t->pf_netdev));
                return -EINVAL;
        }
        if (vf_settings_check(want, &bad) < 0) {
                g_autofree char *what = vf_setting_row(bad)->describe(want);

                set_msg(ret_msg, g_strdup_printf("invalid %s for VF %u of PF netdev '%s'", what, t->vf,
                                                 t->pf_netdev));
                return -EINVAL;
        }
        return 0;
}

/* The VF's state now, through op's PF netdev, and that of its own netdev where it has one (its MAC, state
 * and MTU: what the record keeps); into the record and into *ret. */
static int read_state(const VfOp *op, const VfTarget *t, VfRecord *rec, VfReading *ret, char **ret_msg) {
        g_autoptr(HwNetdev) n = NULL;
        int r;

        *ret = (VfReading) {};
        r = vf_get(op, &rec->orig);
        if (r < 0) {
                set_msg(ret_msg, g_strdup_printf("cannot read the configuration of VF %u through PF netdev "
                                                 "'%s': %s", op->vf, op->pf_netdev, g_strerror(-r)));
                return r;
        }
        ret->config = rec->orig;
        if (!t->vf_netdev)
                return 0;
        r = hw_read_netdev(op->hw, t->vf_netdev, HW_NETDEV_MAC | HW_NETDEV_UP | HW_NETDEV_MTU, &n);
        if (r == -ENODEV)
                return 0;       /* gone meanwhile (a guest took the VF): nothing of it to keep */
        if (r < 0) {
                set_msg(ret_msg, g_strdup_printf("cannot read netdev '%s' of VF %u of PF netdev '%s': %s",
                                                 t->vf_netdev, op->vf, op->pf_netdev, g_strerror(-r)));
                return r;
        }
        rec->vf_netdev = g_strdup(n->name);
        rec->vf_netdev_up = n->admin_up;
        if (!n->mac || mac_normalize(n->mac, rec->vf_netdev_mac) < 0)
                rec->vf_netdev_mac[0] = '\0';
        rec->vf_netdev_mtu = n->mtu;
        ret->has_netdev = true;
        g_strlcpy(ret->netdev_mac, rec->vf_netdev_mac, sizeof(ret->netdev_mac));
        ret->netdev_mtu = n->mtu;
        return 0;
}

/* A VF handed whole to a guest: reset it on its way back, and with managed binding, the driver it has
 * now is the one it goes back to. */
static int read_function_state(const VfOp *op, const VfTarget *t, VfRecord *rec, char **ret_msg) {
        PciAddr addr;
        int r;

        rec->reset = t->hostdev;
        rec->managed = t->managed;
        if (!t->managed)
                return 0;
        r = hw_vf_function_addr(op->hw, op->pf_netdev, op->vf, &addr);
        if (r >= 0)
                r = hw_function_driver(op->hw, &addr, &rec->driver);
        if (r < 0)
                set_msg(ret_msg, g_strdup_printf("cannot read the driver of VF %u of PF netdev '%s': %s", op->vf,
                                                 op->pf_netdev, g_strerror(-r)));
        else if (streq_ptr(rec->driver, "vfio-pci"))
                g_clear_pointer(&rec->driver, g_free);  /* none of the host's: the kernel picks one */
        return r;
}

/* The outcome r of saving rec: *ret_created, or what failed in *ret_msg. */
static int record_saved(const char *vf_dir, const VfRecord *rec, int r, bool *ret_created, char **ret_msg) {
        g_autofree char *path = NULL;

        if (r < 0) {
                path = record_path(vf_dir, rec->pf_netdev, rec->vf);
                set_msg(ret_msg, g_strdup_printf("cannot save the original configuration of VF %u of PF "
                                                 "netdev '%s' to %s: %s", rec->vf, rec->pf_netdev, path,
                                                 g_strerror(-r)));
                return r;
        }
        *ret_created = true;
        return 0;
}

/* Saves rec unless a record of the VF exists already: that one holds the true original, from
 * before an earlier apply whose release has not happened yet. A VF of one PF netdev has one name to look
 * under: the write itself tells whether a record is there (no look before it); one that is is read as below. */
static int ensure_record(const char *vf_dir, const VfTarget *t, const VfRecord *rec, bool *ret_created,
                         char **ret_msg) {
        g_autoptr(VfRecord) existing = NULL;
        g_autofree char *msg = NULL;
        int r;

        if (!other_pf_netdev(t, rec->pf_netdev)) {
                r = vf_record_save_new(vf_dir, rec);
                if (r != -EEXIST)
                        return record_saved(vf_dir, rec, r, ret_created, ret_msg);
        }
        r = load_record_either(vf_dir, rec->pf_netdev, other_pf_netdev(t, rec->pf_netdev), rec->vf,
                               &existing, &msg);
        if (r == 0) {
                *ret_created = false;
                return 0;
        }
        if (r != -ENOENT) {
                /* refuse rather than overwrite: whatever it holds may be the only copy of the original */
                set_msg(ret_msg, g_strdup_printf("%s; fix or remove it to use VF %u of PF netdev '%s'",
                                                 msg, rec->vf, rec->pf_netdev));
                return r;
        }
        return record_saved(vf_dir, rec, vf_record_save(vf_dir, rec), ret_created, ret_msg);
}

/* What was set, for an undo: the row and the value the VF had before. */
typedef struct VfUndo {
        const VfSettingRow *done[_VF_SETTING_MAX];
        size_t n;
} VfUndo;

/* Puts back what the undo list holds, last first, to before's values. Returns 0 when all went back, else the
 * first failure with *ret_msg saying which. One hw batch of its own: after a failure the VF is looked at afresh. */
static int undo_changes(VfOp *op, const VfUndo *undo, const VfSettings *before, const VfSettingRow **ret_row,
                        char **ret_msg) {
        g_autoptr(HwVfBatch) batch = hw_vf_batch_begin(op->hw, op->pf_netdev, op->vf);
        int ret = 0;

        for (size_t i = undo->n; i > 0; i--) {
                const VfSettingRow *row = undo->done[i - 1];
                int r;

                if (!(before->set & VF_SETTING_BIT(row->id))) {
                        /* what the VF had was not reported: nothing to put back, and not as before */
                        if (ret == 0) {
                                set_msg(ret_msg, g_strdup_printf("its %s before was not reported", row->name));
                                *ret_row = row;
                                ret = -ENODATA;
                        }
                        continue;
                }
                r = row->set(op, before);
                if (r < 0 && ret == 0) {
                        set_msg(ret_msg, set_failed_msg(op, row, before, r));
                        *ret_row = row;
                        ret = r;
                }
        }
        return ret;
}

/* Sets what want gives, in the table's order, in the apply's hw batch (*batch). On a failure that batch ends and
 * what was set is undone, last first, to before's values; *ret_as_before says whether the VF is as it was (false
 * only when that undo failed too). */
static int apply_changes(VfOp *op, const VfSettings *want, const VfSettings *before, HwVfBatch **batch,
                         bool *ret_as_before, char **ret_msg) {
        g_autofree char *undo_msg = NULL;
        VfUndo undo = {};
        int r;

        *ret_as_before = true;
        for (int i = 0; i < _VF_SETTING_MAX; i++) {
                const VfSettingRow *row = vf_setting_row((VfSettingId) i);

                if (!(want->set & VF_SETTING_BIT(row->id)) || (row->on_netdev && !op->netdev))
                        continue;
                r = row->set(op, want);
                if (r < 0) {
                        set_msg(ret_msg, set_failed_msg(op, row, want, r));
                        const VfSettingRow *undo_row = NULL;

                        *batch = hw_vf_batch_end(*batch);
                        if (undo_changes(op, &undo, before, &undo_row, &undo_msg) < 0) {
                                *ret_as_before = false;
                                append_msg(ret_msg, "; undoing the %s failed too: %s", undo_row->name, undo_msg);
                        }
                        return r;
                }
                undo.done[undo.n++] = row;
                if (row->crash_apply)
                        crash_point(row->crash_apply);
        }
        return 0;
}

/* After a failed apply: the record made by it goes, unless the VF could not be put back, when it is
 * the way to a later restore. */
static void forget_record(const char *vf_dir, const VfRecord *rec, bool as_before, char **ret_msg) {
        g_autofree char *path = record_path(vf_dir, rec->pf_netdev, rec->vf);
        int r;

        if (!as_before) {
                append_msg(ret_msg, "; the original configuration stays in %s for a restore", path);
                return;
        }
        r = vf_record_remove(vf_dir, rec->pf_netdev, rec->vf);
        if (r < 0)
                append_msg(ret_msg, "; its record %s cannot be removed: %s", path, g_strerror(-r));
}

/**
 * vf_config_apply() - save the VF's original (once), then set the port's MAC and VLAN (0: none)
 *
 * Before the first change the VF's original state is saved to a record in vf_dir, atomically; an
 * existing record (under either PF netdev name) is kept, it holds the true original, and a damaged
 * or unreadable one is refused rather than overwritten. The original is read through the PF netdev
 * whose phys_port_id matches the VF netdev's (either of t's two on a dual-port PF), and the record
 * is named after it. The admin MAC is set through that PF, then the VLAN. A failure undoes the
 * changes made here and removes a record made here, so the VF is as it was; only when that undo
 * fails too is the record kept, for a later restore (*ret_msg says so). Nothing here waits: -EBUSY
 * ("VF still in reset") is returned, after the undo, for the caller to try again later.
 * Returns: 0; -EINVAL for invalid arguments or a damaged existing record; -ENETDOWN when the PF
 * netdev is down; -ENODEV (gone); -EBUSY when the VF is in reset; the error of reading the VF's
 * state or the driver's error; or the error of reading or writing the record. *ret_on_record (may
 * be NULL) is true when what failed is the VF's record file (ours: a damaged record, a full or
 * read-only state dir), not the hardware. *ret_msg (may be NULL) says what failed, naming PF and VF
 * (and the setting, when setting one failed).
 */
int vf_config_apply(HwBackend *hw, const char *vf_dir, const VfTarget *t, const VfSettings *want,
                    const char *port_uuid, char **ret_msg, bool *ret_on_record) {
        g_autoptr(HwVfBatch) batch = NULL;
        g_autoptr(VfRecord) rec = NULL;
        VfSettings before = {}, wanted;
        VfReading now;
        char uuid[37];
        bool created = false, as_before = true;
        VfOp op;
        int r;

        set_flag(ret_on_record, false);
        r = check_target(t, ret_msg);
        if (r < 0)
                return r;
        r = check_settings(t, want, ret_msg);
        if (r < 0)
                return r;
        wanted = *want;
        if (t->managed)         /* bound to vfio-pci next: its host netdev, and so its MTU, goes with the bind */
                wanted.set &= ~VF_SETTING_BIT(VF_SETTING_MTU);
        r = normalize_port_uuid(port_uuid, uuid, ret_msg);
        if (r < 0)
                return r;

        op = (VfOp) { .hw = hw, .pf_netdev = pick_read_pf(hw, t), .vf = t->vf };
        rec = vf_record_new(op.pf_netdev, t->vf);
        g_free(rec->port_uuid);
        rec->port_uuid = g_strdup(uuid);
        /* the apply is one step: the VF's original read and the sets in one batch */
        batch = hw_vf_batch_begin(hw, op.pf_netdev, op.vf);
        r = read_state(&op, t, rec, &now, ret_msg);
        if (r >= 0)
                r = read_function_state(&op, t, rec, ret_msg);
        if (r < 0)
                return r;
        r = ensure_record(vf_dir, t, rec, &created, ret_msg);
        if (r < 0) {
                set_flag(ret_on_record, true);
                return r;
        }
        crash_point("vf-saved");
        vf_settings_from_reading(&before, &now);
        op.netdev = now.has_netdev ? t->vf_netdev : NULL;
        r = apply_changes(&op, &wanted, &before, &batch, &as_before, ret_msg);
        if (r < 0 && created)
                forget_record(vf_dir, rec, as_before, ret_msg);
        return r;
}

/* What of a VF's netdev a restore compares */
#define RESTORE_NETDEV_ATTRS (HW_NETDEV_MAC | HW_NETDEV_MTU)

/* Whether netdev name is now a netdev of op's VF (and not a name reused by another device): the PCI functions
 * of the two netdevs and the VF's place (its physfn link and one virtfn link). The netdev is read once, with
 * what the restore compares: *ret_read when it is the VF's. */
static bool netdev_is_of_vf(const VfOp *op, const char *name, HwNetdev **ret_read) {
        g_autoptr(HwNetdev) n = NULL;
        PciAddr pf, physfn;
        int index;

        if (!name || hw_netdev_pci_address(op->hw, op->pf_netdev, &pf) <= 0)
                return false;
        if (hw_read_netdev(op->hw, name, RESTORE_NETDEV_ATTRS | HW_NETDEV_PCI, &n) < 0 || !n->has_pci ||
            hw_function_vf_place(op->hw, &n->pci, &physfn, &index) <= 0)
                return false;
        if (index != (int) op->vf || !pci_addr_equal(&physfn, &pf))
                return false;
        *ret_read = g_steal_pointer(&n);
        return true;
}

/* The netdev the record's netdev settings go to: the one the caller names, else the one recorded, when it is
 * a netdev of the VF now; NULL when the VF has none (bound to vfio-pci: the VF driver sets it on probe).
 * *ret_read: that netdev as read for the check, for the restore's first read of the VF (nothing changes it
 * in between). */
static const char *restore_netdev(const VfOp *op, const VfTarget *t, const VfRecord *rec, HwNetdev **ret_read) {
        if (netdev_is_of_vf(op, t->vf_netdev, ret_read))
                return t->vf_netdev;
        if (netdev_is_of_vf(op, rec->vf_netdev, ret_read))
                return rec->vf_netdev;
        return NULL;
}

/* What the VF has now, as far as it can be read: a setting that cannot be read is set whatever it holds.
 * netdev_read: op->netdev just read (RESTORE_NETDEV_ATTRS), or NULL to read it here. */
static void read_now(const VfOp *op, const HwNetdev *netdev_read, VfSettings *ret) {
        g_autoptr(HwNetdev) read_here = NULL;
        const HwNetdev *n = netdev_read;
        VfReading now = {};

        *ret = (VfSettings) {};
        if (vf_get(op, &now.config) >= 0)
                vf_settings_from_reading(ret, &now);
        if (op->netdev && !n && hw_read_netdev(op->hw, op->netdev, RESTORE_NETDEV_ATTRS, &read_here) >= 0)
                n = read_here;
        if (op->netdev && n) {
                now.has_netdev = true;
                if (!n->mac || mac_normalize(n->mac, now.netdev_mac) < 0)
                        now.netdev_mac[0] = '\0';
                now.netdev_mtu = n->mtu;
                vf_settings_from_reading(ret, &now);
        }
}

/* Every recorded setting, in the table's restore order; one that reads as recorded already is left alone
 * unless the table says to set it always. A driver that lacks a setting (EOPNOTSUPP, where the table allows
 * it) is no failure: its bit goes to *ret_lacking. */
static int restore_settings(VfOp *op, const HwNetdev *netdev_read, const VfSettings *orig, unsigned *ret_lacking,
                            char **ret_msg) {
        g_autoptr(HwVfBatch) batch = hw_vf_batch_begin(op->hw, op->pf_netdev, op->vf);      /* one step */
        const VfSettingId *order = vf_setting_restore_order();
        VfSettings now;

        *ret_lacking = 0;
        read_now(op, netdev_read, &now);
        for (int i = 0; i < _VF_SETTING_MAX; i++) {
                const VfSettingRow *row = vf_setting_row(order[i]);
                bool known = now.set & VF_SETTING_BIT(row->id);
                int r;

                if (!(orig->set & VF_SETTING_BIT(row->id)) || (row->on_netdev && !op->netdev))
                        continue;
                if (!row->restore_always && known && row->same(orig, &now))
                        continue;
                r = row->set(op, orig);
                if (r == -EOPNOTSUPP && row->may_lack) {
                        g_autofree char *what = row->describe(orig);

                        log_debug("VF %u of '%s' cannot take %s, ignoring", op->vf, op->pf_netdev, what);
                        *ret_lacking |= VF_SETTING_BIT(row->id);
                        continue;
                }
                if (r < 0) {
                        set_msg(ret_msg, set_failed_msg(op, row, orig, r));
                        return r;
                }
                if (row->crash_restore)
                        crash_point(row->crash_restore);
        }
        return 0;
}

/* The recorded settings, and the netdev they go to (op->netdev, as read: *ret_netdev_read). */
static void recorded_settings(VfOp *op, const VfTarget *t, const VfRecord *rec, VfSettings *ret,
                              HwNetdev **ret_netdev_read) {
        VfReading recorded = { .config = rec->orig, .has_netdev = rec->vf_netdev_mac[0] != '\0' ||
                                                                 rec->vf_netdev_mtu > 0,
                               .netdev_mtu = rec->vf_netdev_mtu };

        *ret = (VfSettings) {};
        g_strlcpy(recorded.netdev_mac, rec->vf_netdev_mac, sizeof(recorded.netdev_mac));
        vf_settings_from_reading(ret, &recorded);
        if (recorded.has_netdev)
                op->netdev = restore_netdev(op, t, rec, ret_netdev_read);
}

/* Whether setting row of the VF as read back (now) is what the restore put there (orig). Where the driver
 * refused the zero MAC the placeholder went instead, and a driver may pin the VF's netdev to it. */
static bool restored_as_recorded(const VfOp *op, const VfSettingRow *row, const VfSettings *orig,
                                 const VfSettings *now) {
        char placeholder[18];

        if (row->same(orig, now))
                return true;
        if (!op->placeholder || (row->id != VF_SETTING_MAC && row->id != VF_SETTING_NETDEV_MAC))
                return false;
        vf_config_placeholder_mac(op->pf_netdev, op->vf, placeholder);
        return streq(row->id == VF_SETTING_MAC ? now->mac : now->netdev_mac, placeholder);
}

/* Read the VF back after a restore and compare every setting restored: NULL when all are as recorded, else
 * what differs (g_free). Settings the driver lacks or does not report cannot differ. */
static char *verify_restored(const VfOp *op, const VfSettings *orig, unsigned lacking) {
        VfSettings now;

        read_now(op, NULL, &now);       /* afresh, after the restore's batch: what the restore made of it */
        for (int i = 0; i < _VF_SETTING_MAX; i++) {
                const VfSettingRow *row = vf_setting_row((VfSettingId) i);
                unsigned bit = VF_SETTING_BIT(row->id);
                g_autofree char *is = NULL, *was = NULL;

                if (!(orig->set & bit) || !(now.set & bit) || (lacking & bit) || (row->on_netdev && !op->netdev))
                        continue;
                if (restored_as_recorded(op, row, orig, &now))
                        continue;
                is = vf_setting_value(row, &now);
                was = vf_setting_value(row, orig);
                return g_strdup_printf("%s is %s after the restore, recorded %s", row->name, is, was);
        }
        return NULL;
}

/* The restore went through but the VF is not as recorded: the record stays, marked, for Rescan and the next
 * start to try again; until then no network hands the VF out. Returns -EUCLEAN. */
static int quarantine_record(const char *vf_dir, VfRecord *rec, char *reason, char **ret_msg) {
        g_autofree char *path = record_path(vf_dir, rec->pf_netdev, rec->vf);
        int r;

        log_debug("VF %u of '%s': its original stays in %s until Rescan finds it right", rec->vf, rec->pf_netdev,
                  path);
        g_free(rec->quarantine);
        rec->quarantine = reason;
        r = vf_record_save(vf_dir, rec);
        if (r < 0)
                log_warning_errno(r, "cannot mark the record %s of a quarantined VF: %m", path);
        crash_point("vf-quarantined");  /* the record keeps the original either way: the next start retries */
        set_msg(ret_msg, g_strdup(reason));
        return -EUCLEAN;
}

/**
 * vf_config_restore() - put the VF back as its record says, then remove the record
 *
 * The record is looked for under t->pf_netdev, then t->alt_pf_netdev, and the VF is set through the
 * PF netdev it was found under. Where the driver refuses the all-zero MAC, a locally administered
 * MAC unique to this VF (vf_config_placeholder_mac()) is set instead. The VF's own netdev MAC is
 * restored when the VF still has that netdev. The record is removed only once the restore
 * succeeded. Nothing here waits: -EBUSY is returned, not waited for.
 * Returns: 0; -ENOENT when there is no record (nothing to restore); -EINVAL for invalid names or a
 * damaged record, or the -errno of reading it; the error of the restore, the record then kept for a
 * retry; -EUCLEAN when the restore went through but the VF reads back otherwise than recorded, or its reset
 * failed (quarantined: the record stays, marked with why, for Rescan and the next start; *ret_msg says why:
 * "MAC is … after the restore, recorded …"); or the -errno of
 * removing the record, the VF being restored. *ret_on_record (may be NULL)
 * is true when the failure is the record file's (damaged, unreadable, or cannot be removed).
 * *ret_msg (may be NULL) says what failed.
 */
int vf_config_restore(HwBackend *hw, const char *vf_dir, const VfTarget *t, char **ret_msg,
                      bool *ret_on_record) {
        g_autoptr(VfRecord) rec = NULL;
        g_autoptr(HwNetdev) netdev_read = NULL;
        g_autofree char *path = NULL, *quarantine = NULL;
        VfSettings orig;
        unsigned lacking = 0;
        VfOp op;
        int r;

        set_flag(ret_on_record, false);
        r = check_target(t, ret_msg);
        if (r < 0)
                return r;
        r = load_record_either(vf_dir, t->pf_netdev, t->alt_pf_netdev, t->vf, &rec, ret_msg);
        if (r < 0) {
                set_flag(ret_on_record, r != -ENOENT);
                return r;
        }
        op = (VfOp) { .hw = hw, .pf_netdev = rec->pf_netdev, .vf = rec->vf };
        path = record_path(vf_dir, rec->pf_netdev, rec->vf);

        r = vf_function_give_back(hw, rec, ret_msg, &quarantine);
        if (r >= 0) {
                recorded_settings(&op, t, rec, &orig, &netdev_read);
                r = restore_settings(&op, netdev_read, &orig, &lacking, ret_msg);
        }
        if (r < 0) {
                append_msg(ret_msg, "; the original configuration stays in %s for a retry", path);
                return r;
        }
        if (!quarantine)
                quarantine = verify_restored(&op, &orig, lacking);
        if (quarantine)
                return quarantine_record(vf_dir, rec, g_steal_pointer(&quarantine), ret_msg);
        r = vf_record_remove(vf_dir, rec->pf_netdev, rec->vf);
        set_flag(ret_on_record, r < 0);
        if (r < 0)
                set_msg(ret_msg, g_strdup_printf("VF %u of PF netdev '%s' is restored, but its record %s "
                                                 "cannot be removed: %s", rec->vf, rec->pf_netdev, path,
                                                 g_strerror(-r)));
        return r;
}

/**
 * vf_config_record_defaults() - a record of the driver's defaults for a VF whose record was lost
 *
 * For a VF re-registered by Notify whose record was lost (state dir wiped): the record holds the
 * driver's defaults (zero MAC, VLAN 0, QoS 0, spoofchk on, trust off, link auto, 802.1Q, no TX rate
 * limits), so that a release leaves the VF clean rather than keeping the guest's MAC. No change to the VF. An existing record
 * (under either PF netdev name) is kept: it holds the true original.
 * Returns: 0 (also when a record exists), -EINVAL for invalid names or UUID, or the error of the
 * write (*ret_msg says so)
 */
int vf_config_record_defaults(const char *vf_dir, const VfTarget *t, const char *port_uuid, char **ret_msg) {
        g_autoptr(VfRecord) rec = NULL;
        char uuid[37];
        int r;

        r = check_target(t, ret_msg);
        if (r < 0)
                return r;
        r = normalize_port_uuid(port_uuid, uuid, ret_msg);
        if (r < 0)
                return r;
        if (vf_config_has_record(vf_dir, t))
                return 0;

        rec = vf_record_new(t->pf_netdev, t->vf);
        g_free(rec->port_uuid);
        rec->port_uuid = g_strdup(uuid);
        /* what drivers start a VF with: zero MAC, no VLAN, spoof checking on, not trusted */
        rec->orig.vlan = 0;
        rec->orig.qos = 0;
        rec->orig.spoofchk = 1;
        rec->orig.trust = 0;
        rec->orig.link_state = VF_LINK_STATE_AUTO;
        rec->orig.vlan_proto = VF_VLAN_PROTO_8021Q;
        rec->orig.has_rate = true;              /* no limits */
        rec->vf_netdev = g_strdup(t->vf_netdev);
        rec->vf_netdev_up = true;
        rec->reset = t->hostdev;
        rec->managed = t->managed;      /* its driver unknown: the kernel's choice at release */
        r = vf_record_save(vf_dir, rec);
        if (r < 0) {
                g_autofree char *path = record_path(vf_dir, t->pf_netdev, t->vf);

                set_msg(ret_msg, g_strdup_printf("cannot write a default record for VF %u of PF netdev "
                                                 "'%s' to %s: %s", t->vf, t->pf_netdev, path, g_strerror(-r)));
        }
        return r;
}

/**
 * vf_config_compare() - whether a VF has what a port wants of it
 *
 * Reads the VF as vf_config_apply() does (through the PF netdev of its port) and compares each setting of
 * want, in the table's order. A setting the VF does not report cannot differ.
 * Returns: 0 with *ret_diff NULL when the VF has all of want; 0 with *ret_diff (g_free) saying what differs
 * first ("MAC is 02:00:00:00:00:99, the port's is 52:54:00:00:00:01"); or the -errno of reading the VF
 * (-ENODEV: gone) with *ret_msg.
 */
int vf_config_compare(HwBackend *hw, const VfTarget *t, const VfSettings *want, char **ret_diff, char **ret_msg) {
        g_autoptr(HwVfBatch) batch = NULL;
        g_autoptr(HwNetdev) nd = NULL;
        VfOp op;
        VfSettings now;
        VfConfig probe;
        int r;

        *ret_diff = NULL;
        r = check_target(t, ret_msg);
        if (r < 0)
                return r;
        op = (VfOp) { .hw = hw, .pf_netdev = pick_read_pf(hw, t), .vf = t->vf };
        batch = hw_vf_batch_begin(hw, op.pf_netdev, op.vf);     /* the probe and the reading: one look */
        r = vf_get(&op, &probe);
        if (r < 0) {
                set_msg(ret_msg, g_strdup_printf("cannot read VF %u of PF netdev '%s': %s", op.vf, op.pf_netdev,
                                                 g_strerror(-r)));
                return r;
        }
        if (t->vf_netdev && hw_lookup_netdev(hw, t->vf_netdev, &nd, NULL) >= 0)
                op.netdev = t->vf_netdev;
        read_now(&op, NULL, &now);
        for (int i = 0; i < _VF_SETTING_MAX; i++) {
                const VfSettingRow *row = vf_setting_row((VfSettingId) i);
                unsigned bit = VF_SETTING_BIT(row->id);
                g_autofree char *is = NULL, *wanted = NULL;

                if (!(want->set & bit) || !(now.set & bit) || (row->on_netdev && !op.netdev))
                        continue;
                if (row->same(want, &now))
                        continue;
                is = vf_setting_value(row, &now);
                wanted = vf_setting_value(row, want);
                *ret_diff = g_strdup_printf("%s is %s, the port's is %s", row->name, is, wanted);
                return 0;
        }
        return 0;
}
