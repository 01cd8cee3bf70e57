<?php
/**
 * Plugin Name:       Mahnwerk for WooCommerce
 * Description:       Opens Mahnwerk (invoice dunning and collection) from WooCommerce → Mahnwerk, signed in, without a second password.
 * Version:           0.1.0
 * Requires at least: 6.4
 * Requires PHP:      7.4
 * Requires Plugins:  woocommerce
 * Author:            Mahnwerk
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       mahnwerk
 *
 * How it works: connecting the store in Mahnwerk creates four webhooks named "Mahnwerk order.*" whose delivery URL
 * is <app>/webhooks/woocommerce/<connection id> and whose secret is the connection's secret. This plugin finds
 * them, so it needs no settings: the app URL, the connection id and the secret come from those webhooks (which a
 * user with manage_woocommerce can already see under WooCommerce → Settings → Advanced → Webhooks).
 * "Open Mahnwerk" sends the user to <app>/woocommerce/signin?c=&t=&n=&u=&s= where u is the current user as
 * base64url JSON {"id","name","email"} (Mahnwerk records their actions under that name) and s is the hex
 * HMAC-SHA256 of "c|t|n|u" with that secret; Mahnwerk accepts each link once and for five minutes.
 *
 * Pay-now links: Mahnwerk's reminders link to the order's payment page (its `payment_url`). WooCommerce opens that
 * page only for orders pending or failed; invoice orders wait on-hold. For an order whose case is open at Mahnwerk
 * (the order meta `_mahnwerk_status` Mahnwerk writes back), on-hold is payable too; every other order is left alone.
 *
 * Checkout guard: when the shop turned it on in Mahnwerk, a customer who already owes on an open case is not offered
 * the invoice payment methods again. At checkout the plugin asks <app>/woocommerce/checkout-guard with c, t, e and s,
 * where e is the SHA-256 of the billing e-mail (trimmed, lower case) and s the HMAC-SHA256 of "guard|c|t|e"; it uses
 * the answer only when its signature checks, keeps it up to ten minutes, and leaves checkout as it is whenever
 * Mahnwerk cannot be asked.
 */

defined( 'ABSPATH' ) || exit;

const MAHNWERK_CAPABILITY = 'manage_woocommerce';
const MAHNWERK_DELIVERY_PATTERN = '#^(https://[^\s]+?)/webhooks/woocommerce/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$#i';

/**
 * The connection this store has with Mahnwerk, read from our webhooks: app URL, connection id, secret.
 * An active webhook wins over a paused or disabled one, a newer one over an older one (after a reconnect).
 *
 * @return array{app_url: string, connection_id: string, secret: string}|null
 */
function mahnwerk_connection() {
	if ( ! function_exists( 'wc_get_webhook' ) || ! class_exists( 'WC_Data_Store' ) ) {
		return null;
	}
	$ids = WC_Data_Store::load( 'webhook' )->search_webhooks(
		array(
			'search' => 'Mahnwerk',
			'limit'  => -1,
		)
	);
	$best      = null;
	$best_rank = -1;
	foreach ( (array) $ids as $id ) {
		$webhook = wc_get_webhook( $id );
		if ( ! $webhook || ! preg_match( MAHNWERK_DELIVERY_PATTERN, $webhook->get_delivery_url(), $m ) ) {
			continue;
		}
		$rank = ( 'active' === $webhook->get_status() ? 1000000000 : 0 ) + (int) $webhook->get_id();
		if ( $rank > $best_rank && '' !== $webhook->get_secret() ) {
			$best_rank = $rank;
			$best      = array(
				'app_url'       => $m[1],
				'connection_id' => strtolower( $m[2] ),
				'secret'        => $webhook->get_secret(),
			);
		}
	}
	return $best;
}

/** A user (the current one by default) as the `u` parameter: base64url (no padding) of JSON, so it never contains "|". */
function mahnwerk_user_param( $user = null ) {
	$user = $user ? $user : wp_get_current_user();
	$json = wp_json_encode(
		array(
			'id'    => (int) $user->ID,
			'name'  => (string) $user->display_name,
			'email' => (string) $user->user_email,
		)
	);
	return rtrim( strtr( base64_encode( $json ), '+/', '-_' ), '=' );
}

/** The signed, short-lived parameters naming one user (c, t, n, u, s), HMAC-SHA256 with the webhook secret. */
function mahnwerk_signed_params( array $connection, $user = null ) {
	$time  = time();
	$nonce = wp_generate_password( 32, false, false );
	$param = mahnwerk_user_param( $user );
	$data  = $connection['connection_id'] . '|' . $time . '|' . $nonce . '|' . $param;
	return array(
		'c' => $connection['connection_id'],
		't' => $time,
		'n' => $nonce,
		'u' => $param,
		's' => hash_hmac( 'sha256', $data, $connection['secret'] ),
	);
}

/** The signed, short-lived sign-in link for the current user. */
function mahnwerk_signin_url( array $connection ) {
	return add_query_arg( mahnwerk_signed_params( $connection ), $connection['app_url'] . '/woocommerce/signin' );
}

/** Tells Mahnwerk that a user may no longer open it: their sessions and sign-in links end there at once. */
function mahnwerk_report_removed_user( $user ) {
	$connection = mahnwerk_connection();
	if ( null === $connection || ! $user instanceof WP_User ) {
		return;
	}
	wp_remote_post(
		$connection['app_url'] . '/woocommerce/staff/removed',
		array(
			'timeout'  => 5,
			'blocking' => false,
			'body'     => mahnwerk_signed_params( $connection, $user ),
		)
	);
}

/** Case statuses at Mahnwerk that still owe money (app/domain/case/status.ts: every status but paid, cancelled, closed). */
const MAHNWERK_OPEN_CASE_STATUSES = array( 'waiting_for_approval', 'running', 'handed_over', 'blocked', 'failed' );

/**
 * Filter `woocommerce_valid_order_statuses_for_payment`: on-hold joins the payable states of an order with an open
 * Mahnwerk case, so the customer can pay it on its payment page; nothing changes for any other order.
 *
 * @param string[]      $statuses The states in which WooCommerce lets the order be paid.
 * @param WC_Order|null $order    The order.
 * @return string[]
 */
function mahnwerk_payable_statuses( $statuses, $order = null ) {
	if ( ! is_object( $order ) || ! method_exists( $order, 'get_meta' ) ) {
		return $statuses;
	}
	$case_status = (string) $order->get_meta( '_mahnwerk_status', true );
	if ( in_array( $case_status, MAHNWERK_OPEN_CASE_STATUSES, true ) && ! in_array( 'on-hold', $statuses, true ) ) {
		$statuses[] = 'on-hold';
	}
	return $statuses;
}
add_filter( 'woocommerce_valid_order_statuses_for_payment', 'mahnwerk_payable_statuses', 10, 2 );

/**
 * The case statuses as the app names them (app/i18n/{de,en}.json, status.*), in the admin user's language: the order
 * list shows the same words as Mahnwerk's tab.
 */
function mahnwerk_status_label( $status ) {
	$labels = array(
		'waiting_for_approval' => array( 'Waiting for approval', 'Warten auf Freigabe' ),
		'running'              => array( 'Running', 'Laufend' ),
		'handed_over'          => array( 'Handed over to collection', 'An Inkasso übergeben' ),
		'blocked'              => array( 'Blocked', 'Blockiert' ),
		'failed'               => array( 'Failed', 'Gescheitert' ),
		'paid'                 => array( 'Paid', 'Bezahlt' ),
		'cancelled'            => array( 'Cancelled', 'Gekündigt' ),
		'closed'               => array( 'Closed', 'Geschlossen' ),
	);
	if ( ! isset( $labels[ $status ] ) ) {
		return $status;
	}
	$locale = function_exists( 'get_user_locale' ) ? (string) get_user_locale() : 'en_US';
	return $labels[ $status ][ 0 === strpos( $locale, 'de' ) ? 1 : 0 ];
}

/**
 * The "Mahnwerk" column of the order list (classic `edit.php?post_type=shop_order` and HPOS `wc-orders`), after the
 * order status: the case status Mahnwerk last wrote back (order meta `_mahnwerk_status`), empty for untracked orders.
 *
 * @param array<string, string> $columns The list's columns.
 * @return array<string, string>
 */
function mahnwerk_order_columns( $columns ) {
	$with = array();
	foreach ( $columns as $key => $label ) {
		$with[ $key ] = $label;
		if ( 'order_status' === $key ) {
			$with['mahnwerk'] = 'Mahnwerk';
		}
	}
	if ( ! isset( $with['mahnwerk'] ) ) {
		$with['mahnwerk'] = 'Mahnwerk';
	}
	return $with;
}

/**
 * One cell of the column: HPOS passes the order, the classic list its post id.
 *
 * @param string       $column      The column being rendered.
 * @param WC_Order|int $order_or_id The order, or its id.
 */
function mahnwerk_order_column_cell( $column, $order_or_id ) {
	if ( 'mahnwerk' !== $column ) {
		return;
	}
	$order = is_object( $order_or_id ) ? $order_or_id : ( function_exists( 'wc_get_order' ) ? wc_get_order( $order_or_id ) : null );
	if ( ! is_object( $order ) || ! method_exists( $order, 'get_meta' ) ) {
		return;
	}
	$status = (string) $order->get_meta( '_mahnwerk_status', true );
	if ( '' === $status ) {
		return;
	}
	echo '<mark class="mahnwerk-status" title="' . esc_attr( 'mahnwerk:' . $status ) . '">' . esc_html( mahnwerk_status_label( $status ) ) . '</mark>';
}
add_filter( 'manage_edit-shop_order_columns', 'mahnwerk_order_columns', 20 );
add_action( 'manage_shop_order_posts_custom_column', 'mahnwerk_order_column_cell', 20, 2 );
add_filter( 'manage_woocommerce_page_wc-orders_columns', 'mahnwerk_order_columns', 20 );
add_action( 'manage_woocommerce_page_wc-orders_custom_column', 'mahnwerk_order_column_cell', 20, 2 );

/**
 * Mahnwerk's signed answer for one billing e-mail, cached; null when there is none to trust (no connection, no
 * answer within three seconds, a bad signature).
 *
 * @return array{open: bool, methods: string[], until: int, s: string}|null
 */
function mahnwerk_guard_answer( $email ) {
	$connection = mahnwerk_connection();
	if ( null === $connection ) {
		return null;
	}
	$hash      = hash( 'sha256', strtolower( trim( $email ) ) );
	$cache_key = 'mahnwerk_guard_' . substr( $hash, 0, 40 );
	$cached    = get_transient( $cache_key );
	if ( is_array( $cached ) ) {
		return $cached;
	}
	$time     = time();
	$question = array(
		'c' => $connection['connection_id'],
		't' => $time,
		'e' => $hash,
		's' => hash_hmac( 'sha256', 'guard|' . $connection['connection_id'] . '|' . $time . '|' . $hash, $connection['secret'] ),
	);
	$response = wp_remote_post(
		$connection['app_url'] . '/woocommerce/checkout-guard',
		array(
			'timeout' => 3,
			'body'    => $question,
		)
	);
	if ( is_wp_error( $response ) || 200 !== (int) wp_remote_retrieve_response_code( $response ) ) {
		return null;
	}
	$answer = json_decode( (string) wp_remote_retrieve_body( $response ), true );
	if ( ! is_array( $answer ) || ! isset( $answer['open'], $answer['methods'], $answer['until'], $answer['s'] ) || ! is_array( $answer['methods'] ) ) {
		return null;
	}
	$fields   = array( $question['c'], $time, $hash, $answer['open'] ? 1 : 0, (int) $answer['until'], implode( ',', $answer['methods'] ) );
	$expected = hash_hmac( 'sha256', 'guard-answer|' . implode( '|', $fields ), $connection['secret'] );
	if ( ! hash_equals( $expected, (string) $answer['s'] ) ) {
		return null;
	}
	$ttl = min( 600, (int) $answer['until'] - time() );
	if ( $ttl > 0 ) {
		set_transient( $cache_key, $answer, $ttl );
	}
	return $answer;
}

/**
 * Filter `woocommerce_available_payment_gateways` at checkout: the shop's invoice methods (by gateway id or title, as
 * Mahnwerk's settings list them) are removed for a customer with an open case; every other gateway stays.
 *
 * @param array $gateways Gateway id => gateway.
 * @return array
 */
function mahnwerk_guard_gateways( $gateways ) {
	if ( ! is_array( $gateways ) || is_admin() || ! function_exists( 'is_checkout' ) || ! is_checkout() ) {
		return $gateways;
	}
	$email = '';
	if ( function_exists( 'WC' ) && WC()->customer ) {
		$email = (string) WC()->customer->get_billing_email();
	}
	if ( '' === $email && is_user_logged_in() ) {
		$email = (string) wp_get_current_user()->user_email;
	}
	if ( '' === $email ) {
		return $gateways;
	}
	$answer = mahnwerk_guard_answer( $email );
	if ( null === $answer || true !== $answer['open'] ) {
		return $gateways;
	}
	$hidden = array();
	foreach ( $answer['methods'] as $method ) {
		$hidden[] = strtolower( trim( (string) $method ) );
	}
	foreach ( $gateways as $id => $gateway ) {
		$title = is_object( $gateway ) && isset( $gateway->title ) ? (string) $gateway->title : '';
		if ( in_array( strtolower( (string) $id ), $hidden, true ) || in_array( strtolower( trim( $title ) ), $hidden, true ) ) {
			unset( $gateways[ $id ] );
		}
	}
	return $gateways;
}
add_filter( 'woocommerce_available_payment_gateways', 'mahnwerk_guard_gateways' );

add_action(
	'delete_user',
	function ( $user_id ) {
		mahnwerk_report_removed_user( get_userdata( $user_id ) );
	}
);

// A user who keeps their account but loses the capability is removed as well.
add_action(
	'set_user_role',
	function ( $user_id ) {
		$user = get_userdata( $user_id );
		if ( $user && ! user_can( $user, MAHNWERK_CAPABILITY ) ) {
			mahnwerk_report_removed_user( $user );
		}
	}
);

// WooCommerce registers its menu at priority 9; the submenu must come after it.
add_action(
	'admin_menu',
	function () {
		add_submenu_page( 'woocommerce', 'Mahnwerk', 'Mahnwerk', MAHNWERK_CAPABILITY, 'mahnwerk', 'mahnwerk_render_page' );
	},
	50
);

/** The submenu page: what the plugin found, and the button that opens Mahnwerk. */
function mahnwerk_render_page() {
	if ( ! current_user_can( MAHNWERK_CAPABILITY ) ) {
		wp_die( esc_html__( 'You are not allowed to open Mahnwerk.', 'mahnwerk' ), 403 );
	}
	$connection = mahnwerk_connection();
	echo '<div class="wrap"><h1>Mahnwerk</h1>';
	if ( null === $connection ) {
		echo '<p>' . esc_html__( 'This store is not connected to Mahnwerk yet. Connect it in Mahnwerk (…/woocommerce/connect); the connection creates the webhooks this plugin uses.', 'mahnwerk' ) . '</p></div>';
		return;
	}
	echo '<p>' . esc_html__( 'Connected to', 'mahnwerk' ) . ' <code>' . esc_html( $connection['app_url'] ) . '</code></p>';
	echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" target="_blank">';
	echo '<input type="hidden" name="action" value="mahnwerk_open" />';
	wp_nonce_field( 'mahnwerk_open' );
	submit_button( __( 'Open Mahnwerk', 'mahnwerk' ), 'primary', 'submit', false );
	echo '</form></div>';
}

/** admin-post handler: capability and nonce checked again, then a redirect to the signed link. */
add_action(
	'admin_post_mahnwerk_open',
	function () {
		if ( ! current_user_can( MAHNWERK_CAPABILITY ) ) {
			wp_die( esc_html__( 'You are not allowed to open Mahnwerk.', 'mahnwerk' ), 403 );
		}
		check_admin_referer( 'mahnwerk_open' );
		$connection = mahnwerk_connection();
		if ( null === $connection ) {
			wp_safe_redirect( admin_url( 'admin.php?page=mahnwerk' ) );
			exit;
		}
		$host = wp_parse_url( $connection['app_url'], PHP_URL_HOST );
		add_filter(
			'allowed_redirect_hosts',
			function ( $hosts ) use ( $host ) {
				$hosts[] = $host;
				return $hosts;
			}
		);
		nocache_headers();
		wp_safe_redirect( mahnwerk_signin_url( $connection ) );
		exit;
	}
);
