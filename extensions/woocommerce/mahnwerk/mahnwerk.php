<?php
/**
 * Plugin Name:       Mahnwerk for WooCommerce
 * Description:       Opens Mahnwerk (invoice dunning and collection) from WooCommerce → Mahnwerk, signed in, without a second password, and shows each order's case on its order screen.
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
 * Order screen: a "Mahnwerk" box on the order edit screen (classic and HPOS) shows the order's case and starts or
 * cancels it with a reason. The plugin posts c, t, n, u, o (order id), a (view, start or cancel), r (reason), l (the
 * user's locale) and s, the HMAC-SHA256 of "order_case|c|t|n|u|o|a|sha256(r)", to <app>/woocommerce/order-case;
 * Mahnwerk answers with the case in the user's language and takes each signed action once.
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
 * Texts of the order screen's meta box in the admin user's language (German for a de_* locale, else English); the
 * case itself (status, amounts, timeline) comes as text from Mahnwerk, in the same words as the tab.
 */
function mahnwerk_text( $key ) {
	$texts = array(
		'not_connected' => array( 'This store is not connected to Mahnwerk.', 'Dieser Shop ist nicht mit Mahnwerk verbunden.' ),
		'unreachable'   => array( 'Mahnwerk cannot be reached right now. Reload the page to try again.', 'Mahnwerk ist gerade nicht erreichbar. Laden Sie die Seite neu, um es noch einmal zu versuchen.' ),
		'unreadable'    => array( 'Mahnwerk gave an answer this box cannot read. Open Mahnwerk to see the case.', 'Mahnwerk hat eine Antwort gegeben, die diese Box nicht lesen kann. Öffnen Sie Mahnwerk, um den Fall zu sehen.' ),
		'no_case'       => array( 'This order has no case.', 'Diese Bestellung hat keinen Fall.' ),
		'outstanding'   => array( 'outstanding', 'offen' ),
		'level'         => array( 'Dunning level', 'Mahnstufe' ),
		'next'          => array( 'Next', 'Als Nächstes' ),
		'latest'        => array( 'Latest', 'Zuletzt' ),
		'reason_given'  => array( 'Reason', 'Begründung' ),
		'reason'        => array( 'Reason (required, shown in the timeline)', 'Begründung (nötig, steht im Verlauf)' ),
		'start'         => array( 'Start dunning', 'Mahnung starten' ),
		'cancel'        => array( 'Cancel case', 'Fall abbrechen' ),
		'done'          => array( 'Done: the case is now “%s”.', 'Erledigt: der Fall ist jetzt „%s“.' ),
		'open'          => array( 'Open in Mahnwerk', 'In Mahnwerk öffnen' ),
	);
	$locale = function_exists( 'get_user_locale' ) ? (string) get_user_locale() : 'en_US';
	return $texts[ $key ][ 0 === strpos( $locale, 'de' ) ? 1 : 0 ];
}

/**
 * Asks Mahnwerk about one order's case (view) or starts or cancels it with a reason, signed for the current user:
 * the HMAC-SHA256 of "order_case|c|t|n|u|o|a|sha256(r)" with the connection's secret. Mahnwerk records the action
 * under that user and accepts each signed action once, within five minutes.
 *
 * @return array{summary?: array, refusal?: string, error?: string}
 */
function mahnwerk_order_case( $order_id, $action = 'view', $reason = '' ) {
	$connection = mahnwerk_connection();
	if ( null === $connection ) {
		return array( 'error' => 'not_connected' );
	}
	$time   = time();
	$nonce  = wp_generate_password( 32, false, false );
	$user   = mahnwerk_user_param();
	$order  = (string) (int) $order_id;
	$signed = implode( '|', array( 'order_case', $connection['connection_id'], $time, $nonce, $user, $order, $action, hash( 'sha256', $reason ) ) );
	$response = wp_remote_post(
		$connection['app_url'] . '/woocommerce/order-case',
		array(
			'timeout' => 5,
			'body'    => array(
				'c' => $connection['connection_id'],
				't' => $time,
				'n' => $nonce,
				'u' => $user,
				'o' => $order,
				'a' => $action,
				'r' => $reason,
				'l' => function_exists( 'get_user_locale' ) ? (string) get_user_locale() : '',
				's' => hash_hmac( 'sha256', $signed, $connection['secret'] ),
			),
		)
	);
	if ( is_wp_error( $response ) ) {
		return array( 'error' => 'unreachable' );
	}
	$code = (int) wp_remote_retrieve_response_code( $response );
	$body = json_decode( (string) wp_remote_retrieve_body( $response ), true );
	if ( 200 === $code && is_array( $body ) && isset( $body['tracked'] ) ) {
		return array( 'summary' => $body );
	}
	if ( is_array( $body ) && isset( $body['summary']['tracked'], $body['error']['message'] ) ) {
		return array(
			'summary' => $body['summary'],
			'refusal' => (string) $body['error']['message'],
		);
	}
	return array( 'error' => 404 === $code ? 'no_case' : 'unreadable' );
}

/** The meta box on both order screens: classic (post type shop_order) and HPOS (woocommerce_page_wc-orders). */
function mahnwerk_add_case_meta_box() {
	foreach ( array( 'shop_order', 'woocommerce_page_wc-orders' ) as $screen ) {
		add_meta_box( 'mahnwerk-case', 'Mahnwerk', 'mahnwerk_render_case_meta_box', $screen, 'side', 'high' );
	}
}
add_action( 'add_meta_boxes', 'mahnwerk_add_case_meta_box' );

/** Badge colours per tone, close to WooCommerce's own order status marks. */
const MAHNWERK_TONE_COLOURS = array(
	'info'     => array( '#c8d7e1', '#2e4453' ),
	'success'  => array( '#c6e1c6', '#5b841b' ),
	'warning'  => array( '#f8dda7', '#94660c' ),
	'caution'  => array( '#f8dda7', '#94660c' ),
	'critical' => array( '#eba3a3', '#761919' ),
	'neutral'  => array( '#e5e5e5', '#454545' ),
);

/**
 * The box: the order's case as Mahnwerk shows it (status, outstanding amount, level, next step, the last three
 * timeline entries), and Start/Cancel with a reason. The box sits inside the order's own form, so its buttons post
 * that form to admin-post.php (formaction), where only the mahnwerk_* fields are read.
 *
 * @param WP_Post|WC_Order $post_or_order The classic screen passes the post, HPOS the order.
 */
function mahnwerk_render_case_meta_box( $post_or_order ) {
	$order_id = is_object( $post_or_order ) && method_exists( $post_or_order, 'get_id' ) ? (int) $post_or_order->get_id() : (int) $post_or_order->ID;
	$notice   = get_transient( 'mahnwerk_case_notice_' . get_current_user_id() );
	if ( is_array( $notice ) && (int) $notice['order'] === $order_id ) {
		delete_transient( 'mahnwerk_case_notice_' . get_current_user_id() );
		$class = 'refusal' === $notice['kind'] ? 'notice-error' : 'notice-success';
		echo '<div class="notice inline ' . esc_attr( $class ) . '"><p>' . esc_html( $notice['text'] ) . '</p></div>';
	}
	$answer = mahnwerk_order_case( $order_id );
	if ( isset( $answer['error'] ) ) {
		echo '<p>' . esc_html( mahnwerk_text( $answer['error'] ) ) . '</p>';
		return;
	}
	$case = $answer['summary'];
	if ( empty( $case['tracked'] ) ) {
		echo '<p>' . esc_html( (string) $case['text'] ) . '</p>';
		return;
	}
	$colours = MAHNWERK_TONE_COLOURS[ (string) $case['tone'] ] ?? MAHNWERK_TONE_COLOURS['neutral'];
	echo '<p><mark class="mahnwerk-badge" style="background:' . esc_attr( $colours[0] ) . ';color:' . esc_attr( $colours[1] ) . ';border-radius:4px;padding:2px 8px">' . esc_html( (string) $case['statusText'] ) . '</mark> ';
	echo '<strong>' . esc_html( (string) $case['outstandingText'] ) . '</strong> ' . esc_html( mahnwerk_text( 'outstanding' ) ) . '</p>';
	echo '<p>' . esc_html( mahnwerk_text( 'level' ) ) . ': ' . esc_html( (string) $case['levelText'] );
	if ( ! empty( $case['nextText'] ) ) {
		echo '<br>' . esc_html( mahnwerk_text( 'next' ) ) . ': ' . esc_html( (string) $case['nextText'] );
	}
	echo '</p>';
	if ( ! empty( $case['timeline'] ) ) {
		echo '<p><strong>' . esc_html( mahnwerk_text( 'latest' ) ) . '</strong></p><ul class="mahnwerk-timeline">';
		foreach ( (array) $case['timeline'] as $entry ) {
			echo '<li><strong>' . esc_html( (string) $entry['title'] ) . '</strong><br><span class="description">' . esc_html( $entry['at'] . ' · ' . $entry['actor'] ) . '</span>';
			if ( ! empty( $entry['reason'] ) ) {
				echo '<br>' . esc_html( mahnwerk_text( 'reason_given' ) . ': ' . $entry['reason'] );
			}
			echo '</li>';
		}
		echo '</ul>';
	}
	$actions = array_values( array_intersect( array( 'start', 'cancel' ), (array) $case['actions'] ) );
	if ( ! empty( $actions ) ) {
		wp_nonce_field( 'mahnwerk_case_' . $order_id, 'mahnwerk_nonce', false );
		echo '<input type="hidden" name="mahnwerk_order" value="' . esc_attr( (string) $order_id ) . '">';
		echo '<p><label for="mahnwerk-reason">' . esc_html( mahnwerk_text( 'reason' ) ) . '</label>';
		echo '<textarea id="mahnwerk-reason" name="mahnwerk_reason" rows="2" maxlength="' . esc_attr( (string) (int) $case['reasonMax'] ) . '" style="width:100%"></textarea></p><p>';
		foreach ( $actions as $action ) {
			$class = 'start' === $action ? 'button button-primary' : 'button';
			echo '<button type="submit" class="' . esc_attr( $class ) . '" name="mahnwerk_action" value="' . esc_attr( $action ) . '" formmethod="post" formaction="' . esc_url( admin_url( 'admin-post.php?action=mahnwerk_case_action' ) ) . '">' . esc_html( mahnwerk_text( $action ) ) . '</button> ';
		}
		echo '</p>';
	}
	$connection = mahnwerk_connection();
	echo '<p><a href="' . esc_url( mahnwerk_signin_url( $connection ) ) . '" target="_blank" rel="noopener">' . esc_html( mahnwerk_text( 'open' ) ) . '</a></p>';
}

/**
 * Start/Cancel from the meta box: the user must manage WooCommerce and the form must carry the box's nonce for this
 * order; the outcome (done, or Mahnwerk's refusal) is shown in the box after the redirect back to the order.
 */
function mahnwerk_handle_case_action() {
	$order_id = isset( $_POST['mahnwerk_order'] ) ? (int) $_POST['mahnwerk_order'] : 0;
	if ( ! current_user_can( MAHNWERK_CAPABILITY ) ) {
		wp_die( 'Sorry, you are not allowed to do that.', '', array( 'response' => 403 ) );
	}
	check_admin_referer( 'mahnwerk_case_' . $order_id, 'mahnwerk_nonce' );
	$action = isset( $_POST['mahnwerk_action'] ) ? sanitize_key( wp_unslash( $_POST['mahnwerk_action'] ) ) : '';
	$reason = isset( $_POST['mahnwerk_reason'] ) ? sanitize_textarea_field( wp_unslash( $_POST['mahnwerk_reason'] ) ) : '';
	if ( in_array( $action, array( 'start', 'cancel' ), true ) ) {
		$answer = mahnwerk_order_case( $order_id, $action, $reason );
		if ( isset( $answer['refusal'] ) ) {
			$notice = array( 'kind' => 'refusal', 'text' => $answer['refusal'] );
		} elseif ( isset( $answer['error'] ) ) {
			$notice = array( 'kind' => 'refusal', 'text' => mahnwerk_text( $answer['error'] ) );
		} else {
			$notice = array( 'kind' => 'done', 'text' => sprintf( mahnwerk_text( 'done' ), (string) $answer['summary']['statusText'] ) );
		}
		set_transient( 'mahnwerk_case_notice_' . get_current_user_id(), $notice + array( 'order' => $order_id ), 60 );
	}
	$order = wc_get_order( $order_id );
	wp_safe_redirect( $order ? $order->get_edit_order_url() : admin_url( 'edit.php?post_type=shop_order' ) );
	exit;
}
add_action( 'admin_post_mahnwerk_case_action', 'mahnwerk_handle_case_action' );

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
